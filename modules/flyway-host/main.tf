data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

data "aws_ssm_parameter" "al2023" {
  count = var.ami_id == null ? 1 : 0
  name  = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${var.architecture}"
}

locals {
  arn_prefix     = "arn:${data.aws_partition.current.partition}"
  region         = data.aws_region.current.region
  region_account = "${local.region}:${data.aws_caller_identity.current.account_id}"
  ami_id         = var.ami_id == null ? nonsensitive(data.aws_ssm_parameter.al2023[0].value) : var.ami_id
  # The runner is one esbuild bundle (runner/dist), committed with its checksum. At ~750 KB it does
  # not fit the 64 KB document limit, so it travels as an S3 object whose key holds its checksum.
  runner_file      = "${path.module}/../../runner/dist/flyway-runner.js"
  runner_sha256    = filesha256(local.runner_file)
  runner_key       = "runner/flyway-runner-${local.runner_sha256}.js"
  installer        = file("${path.module}/../../scripts/install-flyway")
  installer_sha256 = sha256(local.installer)
  artifacts_bucket = "${var.name}-artifacts-${data.aws_caller_identity.current.account_id}"
  # One --db-endpoint per cluster, pairing its endpoint with the secret of its login (validated
  # in variables.tf: no quote can reach the shell).
  db_endpoint_arguments = join(" ", concat(
    [for target in var.database_targets : "--db-endpoint '${target.endpoint}:${target.port}=${target.secret_arn}'"],
    var.notification_topic_arn == null ? [] : ["--notify-topic '${var.notification_topic_arn}'"],
  ))
  # An s3:// Flyway source or CA bundle (hosts without internet access) is read with the host's role.
  flyway_s3_object    = startswith(var.flyway_source, "s3://") ? trimprefix(var.flyway_source, "s3://") : null
  ca_bundle_s3_object = startswith(var.rds_ca_bundle, "s3://") ? trimprefix(var.rds_ca_bundle, "s3://") : null
  # ARNs are built from names, so the role's policy is fully known at plan time and reviewable.
  document_arn         = "${local.arn_prefix}:ssm:${local.region_account}:document/${var.name}"
  log_group_arn        = "${local.arn_prefix}:logs:${local.region_account}:log-group:/flyway/${var.name}/commands"
  artifacts_bucket_arn = "${local.arn_prefix}:s3:::${local.artifacts_bucket}"
  # The idle-stop script travels inside the user data (its placeholder line in a quoted heredoc).
  user_data = replace(file("${path.module}/user-data.sh"), "#@idle-stop.sh@", trimsuffix(file("${path.module}/idle-stop.sh"), "\n"))
}

# --- Artifacts: the runner bundle ----------------------------------------------------------------
resource "aws_s3_bucket" "artifacts" {
  # checkov:skip=CKV_AWS_18:Access logging needs a separate log bucket; the bucket holds only the module's own runner bundle.
  # checkov:skip=CKV_AWS_144:Cross-region replication is pointless for a build artifact Terraform re-uploads.
  # checkov:skip=CKV2_AWS_62:Nothing reacts to changes of the runner bundle.
  # checkov:skip=CKV2_AWS_61:Terraform replaces the one object it holds; old versions expire by the noncurrent rule below.
  bucket        = local.artifacts_bucket
  force_destroy = true
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket                  = aws_s3_bucket.artifacts.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "artifacts" {
  # checkov:skip=CKV2_AWS_67:Key rotation is the key owner's setting; without a key SSE-S3 is used.
  bucket = aws_s3_bucket.artifacts.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

data "aws_iam_policy_document" "artifacts" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      local.artifacts_bucket_arn,
      "${local.artifacts_bucket_arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  policy = data.aws_iam_policy_document.artifacts.json
  # Public access must be blocked before a policy is attached. The runner object goes in first as
  # well: AWS does not care, but the local emulator evaluates the Bool condition as always true and
  # would refuse Terraform's own upload (see test/harness/emulator-quirks.ts).
  depends_on = [aws_s3_bucket_public_access_block.artifacts, aws_s3_object.runner]
}

resource "aws_s3_object" "runner" {
  bucket       = aws_s3_bucket.artifacts.id
  key          = local.runner_key
  source       = local.runner_file
  source_hash  = local.runner_sha256
  content_type = "application/javascript"
  tags         = var.tags
  depends_on = [
    aws_s3_bucket_server_side_encryption_configuration.artifacts,
    aws_s3_bucket_versioning.artifacts,
  ]
}

# --- Command document ------------------------------------------------------------------------
# The document waits for the host's first boot to finish (bounded), installs the pinned Flyway CLI
# on first use (under a lock; the installer travels inside the document, gzip + base64), fetches the
# runner bundle from the artifacts bucket once per checksum (verified), and runs it with Node.js.
# Each command names the exact Flyway version, runner and database endpoint it uses, so a new
# runner, Flyway version or source, or another database publishes a new document version (or
# parameter) and takes effect on the next command; the instance is never replaced for them.
# Parameters are validated by SSM before anything runs; the script only ever sees them as
# single-quoted words. The environment overrides (FLYWAY_HOST_DIR, FLYWAY_RUNNER_INSTALL_DIR,
# FLYWAY_INSTALL_PREFIX, FLYWAY_BIN_DIR) are unset on the instance, so the defaults (the paths the
# user data makes) apply; the local test harness does not set them either (it runs each command in
# a mount namespace with these very paths, see test/harness/host-root.ts). They are kept for a host
# laid out differently.
resource "aws_ssm_document" "this" {
  name            = var.name
  document_type   = "Command"
  document_format = "JSON"
  content = jsonencode({
    schemaVersion = "2.2"
    description   = "Sync one database's migration bucket and run Flyway on it (${var.name})."
    parameters = {
      DatabaseKey = {
        type           = "String"
        description    = "Key of the database to migrate, as configured in the module."
        allowedPattern = "^[a-z][a-z0-9_]{0,62}$"
      }
      Action = {
        type          = "String"
        description   = "Flyway action. clean is never available."
        allowedValues = ["migrate", "info", "validate", "repair"]
        default       = "migrate"
      }
      RequestedAt = {
        type           = "String"
        description    = "Time of the newest upload that triggered this run (ISO-8601 UTC), empty for manual runs."
        allowedPattern = "^(|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z)$"
        default        = ""
      }
    }
    mainSteps = [{
      action = "aws:runShellScript"
      name   = "flywayRunner"
      inputs = {
        timeoutSeconds = tostring(var.command_execution_timeout_seconds)
        runCommand = [
          "#!/bin/bash",
          "set -euo pipefail",
          "fail() { # fail CODE MESSAGE: the runner's error line and summary, for failures before it runs",
          "  printf 'flyway-runner: error: %s\\n' \"$2\"",
          "  printf '{\"database\":\"%s\",\"action\":\"%s\",\"status\":\"failed\",\"reason\":\"host not ready\",\"schema_version_before\":null,\"schema_version_after\":null,\"migrations_applied\":0,\"passes\":0,\"rejected\":[],\"flyway_exit_code\":null,\"duration_ms\":0,\"requested_at\":null,\"exit_code\":%s,\"also\":[]}\\n' '{{ DatabaseKey }}' '{{ Action }}' \"$1\"",
          "  exit \"$1\"",
          "}",
          "host_dir=\"$${FLYWAY_HOST_DIR:-/var/lib/flyway-host}\"",
          "mkdir -p \"$host_dir\"",
          "# While this runs the host never idles off (flyway-host-idle-stop takes this lock exclusively); its end counts as activity.",
          "exec 9>>\"$host_dir/busy.lock\"",
          "flock -s 9",
          "trap 'touch \"$host_dir/last-activity\"' EXIT",
          "ready_file=\"$host_dir/ready\"",
          "waited=0",
          "until [ -e \"$ready_file\" ]; do",
          "  [ ! -e \"$host_dir/setup-failed\" ] || fail 8 \"the host could not install its software: $(head -c 800 \"$host_dir/setup-failed\") (details: /var/log/flyway-host-setup.log on the host)\"",
          "  [ \"$waited\" -lt ${var.host_ready_timeout_seconds} ] || fail 8 'the host has not finished its first boot after ${var.host_ready_timeout_seconds}s -- see /var/log/flyway-host-setup.log on the host, then run again'",
          "  [ \"$waited\" -gt 0 ] || echo 'flyway-runner: the host is still installing its software (first boot); waiting for it'",
          "  sleep 5; waited=$((waited + 5))",
          "done",
          "export AWS_REGION=\"$${AWS_REGION:-${local.region}}\"",
          "runner_dir=\"$${FLYWAY_RUNNER_INSTALL_DIR:-/opt/flyway-runner}\"",
          "flyway_prefix=\"$${FLYWAY_INSTALL_PREFIX:-/opt/flyway}\"",
          "flyway_home=\"$flyway_prefix/flyway-${var.flyway_version}\"",
          "install -d -m 0755 \"$runner_dir\" \"$flyway_prefix\"",
          "if [ \"$(cat \"$flyway_home/.install-flyway-sha256\" 2>/dev/null || true)\" != '${var.flyway_sha256}' ] || [ ! -x \"$flyway_home/flyway\" ]; then",
          "  installer=\"$runner_dir/install-flyway-${local.installer_sha256}\"",
          "  if [ ! -x \"$installer\" ]; then",
          "    printf '%s' '${base64gzip(local.installer)}' | base64 -d | gunzip >\"$installer.$$\"",
          "    printf '%s  %s\\n' '${local.installer_sha256}' \"$installer.$$\" | sha256sum -c --quiet",
          "    chmod 0755 \"$installer.$$\" && mv -f \"$installer.$$\" \"$installer\"",
          "  fi",
          "  flock \"$flyway_prefix/.install.lock\" \"$installer\" --version '${var.flyway_version}' --sha256 '${var.flyway_sha256}' --source '${var.flyway_source}' --prefix \"$flyway_prefix\" --bin-dir \"$${FLYWAY_BIN_DIR:-/usr/local/bin}\"",
          "fi",
          "runner=\"$runner_dir/flyway-runner-${local.runner_sha256}.js\"",
          "if [ ! -f \"$runner\" ]; then",
          "  aws s3api get-object --region \"$AWS_REGION\" --bucket '${local.artifacts_bucket}' --key '${local.runner_key}' \"$runner.$$\" >/dev/null || fail 8 'cannot download the runner s3://${local.artifacts_bucket}/${local.runner_key} -- check the host role (s3:GetObject) and its route to S3'",
          "  printf '%s  %s\\n' '${local.runner_sha256}' \"$runner.$$\" | sha256sum -c --quiet || fail 8 'the downloaded runner does not match its checksum -- re-apply the module'",
          "  mv -f \"$runner.$$\" \"$runner\"",
          "fi",
          "node_bin=\"$(command -v node-22 || command -v node || true)\"",
          "[ -n \"$node_bin\" ] || fail 8 'Node.js is not installed -- the user data installs nodejs22; see /var/log/flyway-host-setup.log'",
          "requested_at='{{ RequestedAt }}'",
          "# What is left of this step's timeoutSeconds (Run Command kills the process group then): the runner starts no pass it cannot finish.",
          "seconds_left=$(( ${var.command_execution_timeout_seconds} - SECONDS )); [ \"$seconds_left\" -ge 0 ] || seconds_left=0",
          "FLYWAY_RUNNER_FLYWAY=\"$flyway_home/flyway\" \"$node_bin\" \"$runner\" --config-prefix '${var.config_prefix}' --database '{{ DatabaseKey }}' --action '{{ Action }}' ${local.db_endpoint_arguments} --max-parallel '${var.max_parallel_migrations}' --settle-seconds '${var.settle_seconds}' --ca-bundle '${var.rds_ca_bundle}' --seconds-left \"$seconds_left\" $${requested_at:+--requested-at \"$requested_at\"}",
        ]
      }
    }]
  })
  tags = var.tags
  # Names are built from locals so the content is known at plan time; the object must exist first.
  depends_on = [aws_s3_object.runner]
}

resource "aws_cloudwatch_log_group" "commands" {
  # checkov:skip=CKV_AWS_338:Retention is the log_retention_days input.
  name              = "/flyway/${var.name}/commands"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

# --- Instance role -----------------------------------------------------------------------------
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

# What the SSM agent needs, in a policy of its own that depends on nothing but names, so the host
# can register as soon as it boots (the data policy below waits for the cluster's secret).
data "aws_iam_policy_document" "agent" {
  statement {
    sid       = "SsmAgentRegistration"
    actions   = ["ssm:UpdateInstanceInformation", "ssm:ListInstanceAssociations"]
    resources = ["${local.arn_prefix}:ec2:${local.region_account}:instance/*"]
  }
  # These actions have no resource-level permissions in AWS: "*" is the only resource they accept
  # (AWS's Service Authorization Reference; the e2e test checks every statement against it).
  statement {
    sid = "SsmAgentMessages"
    actions = [
      "ssm:ListAssociations", "logs:DescribeLogGroups",
      "ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage",
      "ec2messages:GetEndpoint", "ec2messages:GetMessages", "ec2messages:SendReply",
      "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
    ]
    resources = ["*"]
  }
  statement {
    sid       = "ReadOwnDocument"
    actions   = ["ssm:GetDocument", "ssm:DescribeDocument"]
    resources = [local.document_arn]
  }
  # The agent streams command output to CloudWatch Logs only if it may create the group or see
  # that it exists; with neither it turns streaming off (amazon-ssm-agent, iohandler.go). It asks
  # for each stream before it writes. AWS authorizes these calls on the group's ARN or on
  # "log-group:<name>:log-stream:" (as its denials name them), so both forms are granted.
  statement {
    sid       = "FindCommandLogGroup"
    actions   = ["logs:CreateLogGroup", "logs:DescribeLogStreams"]
    resources = [local.log_group_arn, "${local.log_group_arn}:*"]
  }
  statement {
    sid       = "WriteCommandOutput"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }
}

resource "aws_iam_role_policy" "agent" {
  name   = "${var.name}-ssm-agent"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.agent.json
}

# What the runner needs besides the buckets: its settings, the runner bundle, the Flyway archive
# (s3:// sources) and the module's key. Known at plan time, and the same size for any number of databases.
data "aws_iam_policy_document" "this" {
  statement {
    sid       = "ReadDatabaseSettings"
    actions   = ["ssm:GetParameter"]
    resources = ["${local.arn_prefix}:ssm:${local.region_account}:parameter${var.config_prefix}/databases/*"]
  }
  statement {
    sid       = "ReadRunner"
    actions   = ["s3:GetObject"]
    resources = ["${local.artifacts_bucket_arn}/${local.runner_key}"]
  }
  # The Flyway archive and the CA bundle, each when it comes from S3: exactly that object.
  dynamic "statement" {
    for_each = { for sid, object in { ReadFlywayArchive = local.flyway_s3_object, ReadCaBundle = local.ca_bundle_s3_object } : sid => object if object != null }
    content {
      sid       = statement.key
      actions   = ["s3:GetObject"]
      resources = ["${local.arn_prefix}:s3:::${statement.value}"]
    }
  }
  # A tenant group's failed tenants, told to the failure topic (encrypted with the module key, below).
  dynamic "statement" {
    for_each = var.notification_topic_arn == null ? [] : [var.notification_topic_arn]
    content {
      sid       = "TellTheFailureTopic"
      actions   = ["sns:Publish"]
      resources = [statement.value]
    }
  }
  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]
    content {
      sid       = "UseTheModuleKey"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = var.name
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

data "aws_iam_policy_document" "secret" {
  statement {
    sid       = "ReadDatabaseSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = sort(distinct(var.database_targets[*].secret_arn))
  }
  # The keys of existing clusters' secrets: only for Secrets Manager decrypting a secret for the host.
  dynamic "statement" {
    for_each = length(var.secret_kms_key_arns) == 0 ? [] : [var.secret_kms_key_arns]
    content {
      sid       = "DecryptDatabaseSecrets"
      actions   = ["kms:Decrypt"]
      resources = statement.value
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${local.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "secret" {
  name   = "${var.name}-secret"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.secret.json
}

# The buckets, in managed policies of a bounded number of entries each (the root passes one ARN
# pattern for all the buckets it names, plus each bucket_name given by the user): a role's inline
# policies hold 10,240 characters in all; a managed policy holds 6,144, which 20 entries fill to
# about 5,900 with 63-character bucket names in the longest partition name (aws-us-gov), and a
# role takes 10 managed policies by default (IAM quotas), so at most 200 entries fit.
locals {
  buckets_per_policy    = 20
  bucket_chunks         = chunklist(var.bucket_arns, local.buckets_per_policy)
  managed_policy_limit  = 6144
  attached_policy_quota = 10
}

data "aws_iam_policy_document" "buckets" {
  count = length(local.bucket_chunks)
  # ListMultipartUploads: a pass waits for a migration still being uploaded in parts.
  statement {
    sid       = "ListMigrationBuckets"
    actions   = ["s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"]
    resources = local.bucket_chunks[count.index]
  }
  statement {
    sid       = "ReadMigrationFiles"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = [for arn in local.bucket_chunks[count.index] : "${arn}/*"]
  }
  statement {
    sid       = "WriteOutcomeRecords"
    actions   = ["s3:PutObject"]
    resources = [for arn in local.bucket_chunks[count.index] : "${arn}/.flyway/outcome.json"]
  }
}

resource "aws_iam_policy" "buckets" {
  count       = length(local.bucket_chunks)
  name        = "${var.name}-buckets-${count.index + 1}"
  description = "Flyway host ${var.name}: read migration buckets (entries ${count.index * local.buckets_per_policy + 1}-${count.index * local.buckets_per_policy + length(local.bucket_chunks[count.index])}) and write their outcome records."
  policy      = data.aws_iam_policy_document.buckets[count.index].json
  tags        = var.tags
  lifecycle {
    # IAM counts a policy's characters without whitespace; the provider sends it minified.
    precondition {
      condition     = length(jsonencode(jsondecode(data.aws_iam_policy_document.buckets[count.index].json))) <= local.managed_policy_limit
      error_message = "The host's bucket policy ${count.index + 1} would exceed IAM's ${local.managed_policy_limit} characters: shorten the bucket_name of some databases, or leave bucket_name unset so the module names the bucket (all such buckets share one policy entry)."
    }
    precondition {
      condition     = length(local.bucket_chunks) <= local.attached_policy_quota
      error_message = "The host role would need ${length(local.bucket_chunks)} managed policies for its buckets; IAM attaches ${local.attached_policy_quota} to a role by default. Leave bucket_name unset for most databases (buckets the module names share one policy entry), or use fewer than ${local.attached_policy_quota * local.buckets_per_policy} custom bucket names."
    }
  }
}

resource "aws_iam_role_policy_attachment" "buckets" {
  count      = length(local.bucket_chunks)
  role       = aws_iam_role.this.name
  policy_arn = aws_iam_policy.buckets[count.index].arn
}

# EC2 documents the keys instance metadata can show ("Work with instance tags in instance
# metadata": letters, digits, + - = . , _ : @, not "." "..", "_index").
data "aws_default_tags" "current" {}

locals {
  tag_keys_metadata_refuses = sort([
    for key in keys(merge(data.aws_default_tags.current.tags, var.tags)) : key
    if !can(regex("^[A-Za-z0-9+=.,_:@-]+$", key)) || contains([".", "..", "_index"], key)
  ])
}

resource "aws_iam_instance_profile" "this" {
  name = var.name
  role = aws_iam_role.this.name
  tags = var.tags
}

# --- Network: no inbound rules at all; egress only where the host must go --------------------
resource "aws_security_group" "this" {
  name        = "${var.name}-host"
  description = "Flyway host: no inbound rules; HTTPS to AWS APIs and the database port out"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_egress_rule" "https" {
  # checkov:skip=CKV_AWS_382:HTTPS egress to AWS service endpoints and the Flyway download; their addresses are not fixed.
  security_group_id = aws_security_group.this.id
  description       = "HTTPS to AWS APIs (SSM, S3, Secrets Manager, Logs) and the Flyway download"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

# The egress rule to the database port is made by the aurora module, which knows both groups.

# --- The host ----------------------------------------------------------------------------------
# The first boot installs packages over the network: the instance is created only once the
# network it needs exists (the caller's route and associations, passed in, and its own egress).
resource "terraform_data" "network_ready" {
  input = var.network_dependencies
}

resource "aws_instance" "this" {
  # checkov:skip=CKV2_AWS_41:The instance has a profile (aws_iam_instance_profile.this); checkov cannot follow it.
  # checkov:skip=CKV_AWS_126:Detailed monitoring is billed per instance; basic 5-minute metrics suffice for a host that mostly idles.
  ami                         = local.ami_id
  instance_type               = var.instance_type
  subnet_id                   = var.subnet_id
  vpc_security_group_ids      = [aws_security_group.this.id]
  iam_instance_profile        = aws_iam_instance_profile.this.name
  associate_public_ip_address = var.associate_public_ip_address
  monitoring                  = false
  ebs_optimized               = true

  # Installs Java, the database clients and the idle stop; Flyway and the runner arrive with the
  # commands, so nothing here depends on the databases, the Flyway version or the idle time (a tag).
  user_data                   = local.user_data
  user_data_replace_on_change = false
  # The idle stop powers the host off: it must stop (and keep its disk), never terminate.
  instance_initiated_shutdown_behavior = "stop"

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    # The idle stop reads its minutes from the instance's tag, without any IAM permission.
    instance_metadata_tags = var.idle_stop_minutes > 0 ? "enabled" : "disabled"
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = var.root_volume_size
    encrypted   = true
    kms_key_id  = var.kms_key_arn
  }

  # The idle time is a tag, so changing it neither replaces nor restarts the host.
  tags = merge(var.tags, { Name = var.name, FlywayHostIdleStopMinutes = tostring(var.idle_stop_minutes) })

  lifecycle {
    # A newer AMI or an edited install script must not replace a host that works.
    ignore_changes = [ami, user_data]
    # EC2 refuses tags in instance metadata when a tag key holds a space or "/" (or is ".", ".."
    # or "_index"), so an apply would fail late; say so at plan time.
    # The instance carries the provider's default_tags too, so their keys count as well.
    precondition {
      condition     = var.idle_stop_minutes == 0 || length(local.tag_keys_metadata_refuses) == 0
      error_message = "The sleeping host reads its idle time from its tags through instance metadata, which EC2 allows only when every tag key uses letters, digits and + - = . , _ : @ (no spaces, no \"/\"); RunInstances fails otherwise. Rename these tag keys (in tags, or in the aws provider's default_tags) or set host_idle_stop_minutes = 0: ${join(", ", local.tag_keys_metadata_refuses)}."
    }
  }

  # The agent registers at boot: its permissions must be there first. (They do not wait for the
  # cluster; the data policy, which names the cluster's secret, may come later.)
  depends_on = [aws_iam_role_policy.agent, terraform_data.network_ready, aws_vpc_security_group_egress_rule.https]
}
