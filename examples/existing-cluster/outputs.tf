output "buckets" {
  description = "Migration bucket of each database."
  value       = module.flyway_pipeline.buckets
}

output "clusters" {
  description = "The clusters the host serves, as the module read them from AWS."
  value       = module.flyway_pipeline.clusters
}

output "host_security_group_id" {
  description = "Security group of the Flyway host."
  value       = module.flyway_pipeline.host_security_group_id
}
