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

variable "alarm_arns" {
  description = "ARNs of the CloudWatch alarms that notify the topic (arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>, built from names so that the alarm's module can take this topic's ARN). The topic policy lets cloudwatch.amazonaws.com publish for exactly these alarms; empty: no statement."
  type        = list(string)
  default     = []
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for the topic; its key policy must let events.amazonaws.com (kms:Decrypt, kms:GenerateDataKey) and, with alarm_arns, cloudwatch.amazonaws.com (kms:Decrypt, kms:GenerateDataKey*) use it. Null leaves the topic unencrypted at rest, because neither EventBridge nor CloudWatch alarms can publish to a topic under the AWS managed key alias/aws/sns."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
