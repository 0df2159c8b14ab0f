# Secret containers only. Values are written out of band (`aws secretsmanager put-secret-value`,
# see docs/deploy.md) so that no secret ever sits in this repository or in Terraform state.
# The RDS master password is not here: RDS manages and rotates it in its own secret.
resource "aws_kms_key" "secrets" {
  description         = "Encrypts the ${var.name_prefix} platform secrets"
  enable_key_rotation = true

  tags = var.tags
}

resource "aws_kms_alias" "secrets" {
  name          = "alias/${var.name_prefix}-secrets"
  target_key_id = aws_kms_key.secrets.key_id
}

resource "aws_secretsmanager_secret" "this" {
  for_each = var.secrets

  name                    = each.key
  description             = each.value
  kms_key_id              = aws_kms_key.secrets.arn
  recovery_window_in_days = var.recovery_window_days

  tags = var.tags
}
