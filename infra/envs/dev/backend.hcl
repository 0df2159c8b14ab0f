# terraform init -backend-config=backend.hcl
bucket         = "lakehouse-terraform-state-222222222222"
key            = "lakehouse/dev/terraform.tfstate"
region         = "us-east-1"
dynamodb_table = "lakehouse-terraform-locks"
encrypt        = true
