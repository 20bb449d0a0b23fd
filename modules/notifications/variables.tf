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
  description = "Customer managed KMS key for the topic; its key policy must let events.amazonaws.com use it (kms:Decrypt, kms:GenerateDataKey). Null leaves the topic unencrypted at rest, because EventBridge cannot publish to a topic under the AWS managed key alias/aws/sns."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
