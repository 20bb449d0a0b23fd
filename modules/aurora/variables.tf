variable "name" {
  description = "Identifier of the Aurora cluster (also used for its subnet group and security group)."
  type        = string
}

variable "engine" {
  description = "aurora-postgresql or aurora-mysql."
  type        = string
}

variable "engine_version" {
  description = "Engine version. Auto-pause (min_capacity 0) needs Aurora PostgreSQL >= 13.15/14.12/15.7/16.3 or Aurora MySQL >= 3.08."
  type        = string
}

variable "master_username" {
  description = "Master user name; its password is generated and kept in Secrets Manager by RDS."
  type        = string
}

variable "min_capacity" {
  description = "Serverless v2 minimum ACUs; 0 lets the cluster pause when idle."
  type        = number
}

variable "max_capacity" {
  description = "Serverless v2 maximum ACUs."
  type        = number
}

variable "seconds_until_auto_pause" {
  description = "Idle seconds before a cluster with min_capacity 0 pauses."
  type        = number
}

variable "instance_count" {
  description = "Number of db.serverless instances (1 writer, the rest readers)."
  type        = number
  default     = 1
}

variable "vpc_id" {
  description = "VPC of the cluster."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets (at least two availability zones) for the DB subnet group."
  type        = list(string)
}

variable "client_security_group_id" {
  description = "Security group of the Flyway host: the only client allowed in, and given an egress rule to the database port."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for storage and the master secret. Null uses the AWS managed keys."
  type        = string
  default     = null
}

variable "backup_retention_days" {
  description = "Days of automated backups."
  type        = number
  default     = 7
}

variable "deletion_protection" {
  description = "Protect the cluster against deletion."
  type        = bool
  default     = false
}

variable "skip_final_snapshot" {
  description = "Delete without a final snapshot."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "log_retention_days" {
  description = "Retention of the cluster's exported log groups."
  type        = number
  default     = 90
}

variable "auto_minor_version_upgrade" {
  description = "Let AWS apply minor engine upgrades. With a pinned engine_version this makes Terraform plan a downgrade after each one, so it is off by default: upgrade by raising engine_version."
  type        = bool
  default     = false
}
