variable "name" {
  description = "Name of the Lambda function (also used for its role, log group and queue)."
  type        = string
}

variable "package_path" {
  description = "Path of the deployment zip. Defaults to the committed, reproducible build in lambda/dist."
  type        = string
  default     = null
}

variable "document_arn" {
  description = "ARN of the SSM Command document the trigger may run."
  type        = string
}

variable "document_name" {
  description = "Name of the SSM Command document."
  type        = string
}

variable "instance_arn" {
  description = "ARN of the Flyway host the trigger may run the document on."
  type        = string
}

variable "instance_id" {
  description = "ID of the Flyway host."
  type        = string
}

variable "bucket_arns" {
  description = "The migration buckets whose uploads the trigger tags: bucket ARNs, or ARN patterns with * (the root passes one pattern for the buckets it names, so the policy does not grow with the databases)."
  type        = list(string)
  validation {
    condition     = length(var.bucket_arns) > 0 && alltrue([for arn in var.bucket_arns : can(regex("^arn:[a-z-]+:s3:::[a-z0-9*.-]+$", arn))])
    error_message = "bucket_arns must be S3 bucket ARNs (arn:<partition>:s3:::<name>, * allowed in the name)."
  }
}

variable "command_log_group_name" {
  description = "CloudWatch log group that receives the output of each command."
  type        = string
}

variable "command_timeout_seconds" {
  description = "How long Run Command waits for the host to pick a command up (SendCommand TimeoutSeconds)."
  type        = number
  default     = 600
}

variable "topic_arn" {
  description = "SNS topic for rejected uploads and configuration errors."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the function's log group."
  type        = number
}

variable "kms_key_arn" {
  description = "KMS key for the log group, the environment and the failure queue. Null uses AWS managed keys."
  type        = string
  default     = null
}

variable "maximum_retry_attempts" {
  description = "Asynchronous invocation retries before an event goes to the on-failure queue."
  type        = number
  default     = 2
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions of the trigger. -1 (default) reserves none: new accounts have a concurrency quota of 10, and Lambda refuses any reservation that leaves less than 10 unreserved."
  type        = number
  default     = -1
}

variable "bucket_parameter_prefix" {
  description = "Parameter Store path under which <path>/<bucket name> holds each bucket's database key (written by the root module)."
  type        = string
  validation {
    condition     = can(regex("^(/[A-Za-z0-9_.-]+)+$", var.bucket_parameter_prefix))
    error_message = "bucket_parameter_prefix must be a Parameter Store path such as /shop/flyway/buckets."
  }
}

variable "create_failure_alarm" {
  description = "Alarm on the notification topic when an event waits in the on-failure queue. Only the local emulator needs false (it does not speak the protocol of CloudWatch's current API)."
  type        = bool
  default     = true
}

variable "start_stopped_host" {
  description = "The host sleeps when idle: start it (ec2:StartInstances on the host only) before sending a command, and again when it stops while commands wait for it."
  type        = bool
  default     = false
}
