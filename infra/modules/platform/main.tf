# The whole platform of one environment: every module of ../ wired together once. Environments
# (../../envs/<env>) call this module with their sizes and names and add only what a root
# module must own: the state backend, the provider configuration and the root outputs.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  name = "${var.project}-${var.environment}"

  # Known before the stream exists, so the Firehose role's policy and the stream are created
  # in parallel without a dependency cycle between the iam and kinesis modules.
  events_stream_arn = "arn:${data.aws_partition.current.partition}:kinesis:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:stream/${local.name}-events"
}

module "network" {
  source = "../network"

  name               = local.name
  cidr_block         = var.vpc_cidr
  availability_zones = var.availability_zones
  single_nat_gateway = var.single_nat_gateway
  eks_cluster_name   = local.name
  tags               = var.tags
}

module "s3_lakehouse" {
  source = "../s3-lakehouse"

  name_prefix   = local.name
  force_destroy = var.force_destroy_buckets
  tags          = var.tags
}

module "secrets" {
  source = "../secrets"

  name_prefix          = local.name
  recovery_window_days = var.secrets_recovery_window_days
  tags                 = var.tags
}

module "eks" {
  source = "../eks"

  cluster_name        = local.name
  vpc_id              = module.network.vpc_id
  subnet_ids          = module.network.private_subnet_ids
  public_access_cidrs = var.eks_public_access_cidrs
  admin_role_arns     = var.eks_admin_role_arns
  node_instance_types = var.eks_node_instance_types
  node_capacity_type  = var.eks_node_capacity_type
  node_min_size       = var.eks_node_min_size
  node_desired_size   = var.eks_node_min_size
  node_max_size       = var.eks_node_max_size
  tags                = var.tags
}

module "glue_athena" {
  source = "../glue-athena"

  name_prefix      = local.name
  gold_bucket_name = module.s3_lakehouse.bucket_names["gold"]
  force_destroy    = var.force_destroy_buckets
  tags             = var.tags
}

module "redshift_spectrum" {
  source = "../redshift-spectrum"

  name_prefix                = local.name
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.private_subnet_ids
  allowed_security_group_ids = [module.eks.cluster_security_group_id]
  gold_bucket_name           = module.s3_lakehouse.bucket_names["gold"]
  base_capacity              = var.redshift_base_capacity
  tags                       = var.tags
}

module "monitoring" {
  source = "../monitoring"

  name_prefix             = local.name
  alert_emails            = var.alert_emails
  kinesis_stream_name     = module.kinesis.stream_name
  firehose_name           = module.kinesis.firehose_name
  rds_instance_identifier = module.rds.instance_identifier
  tags                    = var.tags
}

module "iam" {
  source = "../iam"

  name_prefix               = local.name
  bucket_arns               = module.s3_lakehouse.bucket_arns
  events_stream_arn         = local.events_stream_arn
  athena_results_bucket_arn = module.glue_athena.results_bucket_arn
  athena_workgroup_arn      = module.glue_athena.workgroup_arn
  glue_database_name        = module.glue_athena.database_name
  oidc_provider_arn         = module.eks.oidc_provider_arn
  oidc_issuer               = module.eks.oidc_issuer
  alerts_topic_arn          = module.monitoring.alerts_topic_arn
  secrets_kms_key_arn       = module.secrets.kms_key_arn
  tags                      = var.tags
}

module "kinesis" {
  source = "../kinesis"

  name_prefix       = local.name
  stream_mode       = var.kinesis_stream_mode
  shard_count       = var.kinesis_shard_count
  bronze_bucket_arn = module.s3_lakehouse.bucket_arns["bronze"]
  firehose_role_arn = module.iam.firehose_role_arn
  error_prefix      = module.s3_lakehouse.firehose_error_prefix
  tags              = var.tags
}

module "rds" {
  source = "../rds"

  identifier                 = "${local.name}-oltp"
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.private_subnet_ids
  allowed_security_group_ids = [module.eks.cluster_security_group_id]
  instance_class             = var.rds_instance_class
  multi_az                   = var.rds_multi_az
  deletion_protection        = var.rds_deletion_protection
  tags                       = var.tags
}

module "databricks" {
  source = "../databricks"

  name_prefix              = local.name
  instance_profile_arn     = module.iam.databricks_instance_profile_arn
  bucket_names             = module.s3_lakehouse.bucket_names
  events_stream_name       = module.kinesis.stream_name
  aws_region               = data.aws_region.current.name
  git_url                  = var.databricks_git_url
  git_branch               = var.databricks_git_branch
  max_workers              = var.databricks_max_workers
  warehouse_size           = var.databricks_warehouse_size
  notification_emails      = var.alert_emails
  airflow_principal        = var.databricks_airflow_principal
  semantic_layer_principal = var.databricks_semantic_layer_principal
  tags                     = var.tags
}
