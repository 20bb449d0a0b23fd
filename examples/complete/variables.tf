variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-central-1"
}

variable "notification_emails" {
  description = "E-mail addresses that receive failed runs and rejected uploads."
  type        = list(string)
  default     = []
}
