output "cluster_identifier" {
  description = "Identifier of the Aurora cluster."
  value       = aws_rds_cluster.this.id
}

output "cluster_arn" {
  description = "ARN of the Aurora cluster."
  value       = aws_rds_cluster.this.arn
}

output "endpoint" {
  description = "Writer endpoint of the cluster."
  value       = aws_rds_cluster.this.endpoint
}

output "port" {
  description = "Port of the cluster."
  value       = aws_rds_cluster.this.port
}

output "master_user_secret_arn" {
  description = "ARN of the Secrets Manager secret that RDS manages for the master user."
  value       = aws_rds_cluster.this.master_user_secret[0].secret_arn
}

output "master_username" {
  description = "Master user name."
  value       = aws_rds_cluster.this.master_username
}

output "security_group_id" {
  description = "Security group of the cluster."
  value       = aws_security_group.this.id
}

output "serverless_scaling" {
  description = "The cluster's Serverless v2 scaling as planned: min_capacity, max_capacity and seconds_until_auto_pause (null unless min_capacity is 0)."
  value       = one(aws_rds_cluster.this.serverlessv2_scaling_configuration)
}
