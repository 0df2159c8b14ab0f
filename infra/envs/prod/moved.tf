# State moves of the split into modules/platform: the modules this root called directly are now
# called by module.platform. Delete these blocks once every environment has applied them.
moved {
  from = module.network
  to   = module.platform.module.network
}

moved {
  from = module.s3_lakehouse
  to   = module.platform.module.s3_lakehouse
}

moved {
  from = module.secrets
  to   = module.platform.module.secrets
}

moved {
  from = module.eks
  to   = module.platform.module.eks
}

moved {
  from = module.glue_athena
  to   = module.platform.module.glue_athena
}

moved {
  from = module.monitoring
  to   = module.platform.module.monitoring
}

moved {
  from = module.iam
  to   = module.platform.module.iam
}

moved {
  from = module.kinesis
  to   = module.platform.module.kinesis
}

moved {
  from = module.rds
  to   = module.platform.module.rds
}

moved {
  from = module.databricks
  to   = module.platform.module.databricks
}
