variable "name" {
  description = "Name tag prefix of the network resources."
  type        = string
}

variable "cidr_block" {
  description = "CIDR of the VPC; split into two public (host) and two private (database) subnets."
  type        = string
}

variable "availability_zones" {
  description = "Two availability zones. Empty picks the region's first two."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
