provider "aws" {
  region = "us-east-1"

  # Tags every taggable AWS resource; modules add var.tags on top so the tags also reach
  # resources created indirectly (EKS nodes, Databricks clusters).
  default_tags {
    tags = local.tags
  }
}

# Authentication comes from the environment (DATABRICKS_CLIENT_ID/DATABRICKS_CLIENT_SECRET of
# the deployer service principal), never from this file.
provider "databricks" {
  host = "https://dbc-prod-lakehouse.cloud.databricks.com"
}
