variable "region" {
  description = "AWS region of the VPC and the cluster."
  type        = string
  default     = "eu-central-1"
}

variable "name_prefix" {
  description = "Prefix of the pipeline's resource names."
  type        = string
  default     = "orders"
}

variable "vpc_id" {
  description = "The VPC of the existing cluster; the Flyway host goes into it."
  type        = string
}

variable "host_subnet_id" {
  description = "A subnet of that VPC for the host, with a route to SSM, Secrets Manager, CloudWatch Logs and S3."
  type        = string
}

variable "database_subnet_ids" {
  description = "Two subnets of that VPC in two availability zones (the module's input validation asks for them with create_vpc = false)."
  type        = list(string)
}

variable "orders_cluster_identifier" {
  description = "DB cluster identifier of the existing Aurora cluster (PostgreSQL or MySQL)."
  type        = string
}

variable "orders_cluster_security_group_id" {
  description = "One of the cluster's security groups: the module lets the host in through it on the cluster's port."
  type        = string
}

variable "notification_emails" {
  description = "Who gets failed runs."
  type        = list(string)
  default     = []
}
