terraform {
  required_version = ">= 1.6.0, < 2.0.0"

  # Only ranges here, like every module: the environments pin exact provider versions.
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.60.0, < 6.0.0"
    }
    databricks = {
      source  = "databricks/databricks"
      version = ">= 1.50.0, < 2.0.0"
    }
  }
}
