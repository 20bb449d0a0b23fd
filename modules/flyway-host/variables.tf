variable "name" {
  description = "Name of the host, its role, security group, document and command log group."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the host."
  type        = string
}

variable "subnet_id" {
  description = "Subnet of the host. It needs a route to SSM, Secrets Manager, CloudWatch Logs and S3 (internet gateway with a public IP, NAT, or VPC endpoints)."
  type        = string
}

variable "associate_public_ip_address" {
  description = "Give the host a public IP (needed in a public subnet without NAT)."
  type        = bool
  default     = true
}

variable "instance_type" {
  description = "EC2 instance type (arm64 types need an arm64 AMI, which is the default)."
  type        = string
}

variable "ami_id" {
  description = "AMI of the host. Null uses the latest Amazon Linux 2023 for the instance type's architecture, read once (later AMI releases do not replace the host)."
  type        = string
  default     = null
}

variable "architecture" {
  description = "CPU architecture of the instance type: arm64 or x86_64 (selects the default AMI)."
  type        = string
  default     = "arm64"
}

variable "root_volume_size" {
  description = "Root volume size in GiB."
  type        = number
  default     = 16
}

variable "flyway_version" {
  description = "Flyway CLI version installed on the host."
  type        = string
}

variable "flyway_source" {
  description = "Where the host downloads the Flyway CLI archive: https URL or s3:// URI."
  type        = string
}

variable "flyway_sha256" {
  description = "SHA-256 of the Flyway CLI archive."
  type        = string
}

variable "config_prefix" {
  description = "SSM Parameter Store path under which the module writes each database's settings."
  type        = string
}

variable "bucket_arns" {
  description = "Migration buckets the host may read."
  type        = list(string)
}

variable "secret_arns" {
  description = "Secrets the host may read (the cluster's master secret)."
  type        = list(string)
}

variable "command_execution_timeout_seconds" {
  description = "Maximum run time of one Flyway run on the host before Run Command stops it."
  type        = number
  default     = 3600
}

variable "log_retention_days" {
  description = "Retention of the command output log group."
  type        = number
}

variable "kms_key_arn" {
  description = "KMS key for the log group and root volume. Null uses AWS managed keys."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "database_endpoint" {
  description = "Writer endpoint of the cluster. The document passes it to the runner, which refuses settings that name another endpoint."
  type        = string
}

variable "database_port" {
  description = "Port of the cluster."
  type        = number
}

variable "max_parallel_migrations" {
  description = "Host-wide limit of databases migrated at once; further requests wait in a queue that needs no SSM agent worker."
  type        = number
  default     = 2
}

variable "settle_seconds" {
  description = "A migrate pass starts once the bucket has been unchanged this long, so a multi-file upload is taken as a whole."
  type        = number
  default     = 3
}

variable "host_ready_timeout_seconds" {
  description = "How long a command waits for the host's first boot (user data) to finish before it fails."
  type        = number
  default     = 900
}
