variable "name" {
  description = "Name of the SNS topic and the EventBridge rule."
  type        = string
}

variable "document_name" {
  description = "Name of the SSM Command document whose failed runs are reported."
  type        = string
}

variable "email_addresses" {
  description = "E-mail addresses subscribed to the topic (each must confirm the subscription)."
  type        = list(string)
  default     = []
}

variable "kms_key_arn" {
  description = "KMS key for the topic. Null uses the AWS managed key alias/aws/sns."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
