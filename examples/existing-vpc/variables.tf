variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-central-1"
}
