# The bucket the functions' source zip is uploaded to; Cloud Functions builds images from it.
resource "google_storage_bucket" "functions_source" {
  name                        = "${var.project_id}-${var.name_prefix}-functions-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = var.source_bucket_force_destroy

  # A zip is only read while a function builds. Old ones go after 30 days; should Terraform
  # still track a deleted zip it uploads it again, under the same name, without a rebuild.
  lifecycle_rule {
    condition {
      age = 30
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.enabled]
}

# Named by the zip's md5: a new build is a new object name, which changes build_config and so
# redeploys every function; an unchanged build deploys nothing. scripts/package-functions.mjs
# builds the zip reproducibly (fixed timestamps, sorted entries) so the md5 only moves with content.
resource "google_storage_bucket_object" "functions_source" {
  name         = "functions-source-${filemd5(var.function_source_zip)}.zip"
  bucket       = google_storage_bucket.functions_source.name
  source       = var.function_source_zip
  content_type = "application/zip"
}
