# Terraform and provider pins. The google provider 6.x is the first major that has every argument
# used here (build_config.service_account on gen2 functions, bigquery_config.use_table_schema,
# replication.auto on secrets, default_labels) without the beta provider.
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.0"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region

  # Every resource that takes labels gets these, so costs and ownership are traceable.
  default_labels = var.labels
}

# The project number names the Pub/Sub service agent, which dead-letters and writes to BigQuery.
data "google_project" "this" {
  project_id = var.project_id
}
