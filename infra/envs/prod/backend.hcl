# terraform init -backend-config=backend.hcl
bucket         = "lakehouse-terraform-state-111111111111"
key            = "lakehouse/prod/terraform.tfstate"
region         = "us-east-1"
dynamodb_table = "lakehouse-terraform-locks"
encrypt        = true
