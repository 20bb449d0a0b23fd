output "buckets" {
  description = "Migration bucket of each database."
  value       = module.flyway_pipeline.buckets
}

output "upload_commands" {
  description = "Commands that upload each database's migrations."
  value       = module.flyway_pipeline.upload_commands
}

output "command_log_group_name" {
  description = "Log group with the output of every Flyway run."
  value       = module.flyway_pipeline.command_log_group_name
}
