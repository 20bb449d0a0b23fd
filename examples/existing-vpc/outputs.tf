output "buckets" {
  description = "Migration bucket of each database."
  value       = module.flyway_pipeline.buckets
}

output "cluster_endpoint" {
  description = "Writer endpoint of the Aurora MySQL cluster."
  value       = module.flyway_pipeline.cluster_endpoint
}
