output "secret_arns" {
  description = "Secret ARN by name."
  value       = { for name, secret in aws_secretsmanager_secret.this : name => secret.arn }
}

output "kms_key_arn" {
  description = "KMS key encrypting the secrets; readers need kms:Decrypt on it."
  value       = aws_kms_key.secrets.arn
}
