terraform {
  required_version = "~> 1.11.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.94.0"
    }
    databricks = {
      source  = "databricks/databricks"
      version = "~> 1.74.0"
    }
    tls = {
      source  = "hashicorp/tls"
      version = "~> 4.0.6"
    }
  }

  # State bucket and lock table are bootstrapped once per account (docs/deploy.md); the key
  # separates environments. Values come from backend.hcl: `terraform init -backend-config=backend.hcl`.
  backend "s3" {}
}
