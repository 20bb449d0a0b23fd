variable "bucket_name" {
  description = "Name of the S3 bucket that receives this database's migration files."
  type        = string
}

variable "database_key" {
  description = "Key of the database this bucket feeds (used in tags)."
  type        = string
}

variable "trigger_function_arn" {
  description = "ARN of the trigger Lambda function that S3 invokes for new .sql objects."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for server-side encryption. Null uses SSE-S3 (AES256, no key cost)."
  type        = string
  default     = null
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which overwritten or deleted object versions are removed."
  type        = number
  default     = 90
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete the bucket with all its object versions."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
