variable "TAG" {
  default = "dev"
}

target "common" {
  context = "."
  platforms = ["linux/amd64"]
}

target "billing" {
  inherits = ["common"]
  dockerfile = "services/billing/Dockerfile"
  tags = ["registry.example.com/billing:${TAG}"]
}

target "report" {
  context = "${REPORT_CONTEXT}"
  dockerfile = "report/Dockerfile"
}
