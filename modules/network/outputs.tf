output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "public_subnet_ids" {
  description = "Public subnets (the Flyway host)."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private subnets (the Aurora cluster)."
  value       = aws_subnet.private[*].id
}

output "host_network_ready" {
  description = "IDs of what the host's first boot needs before it can reach the internet (the internet route, the public subnets' route table associations, the S3 endpoint): the host waits for them."
  value       = concat([aws_route.internet.id, aws_vpc_endpoint.s3.id], aws_route_table_association.public[*].id)
}
