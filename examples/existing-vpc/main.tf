provider "aws" {
  region = var.region
}

# Stands in for a VPC you already have: a public subnet for the Flyway host and two private
# subnets in different zones for the cluster.
data "aws_availability_zones" "available" {
  # checkov:skip=CKV_AWS_394:The example takes the region's first two zones; pin them in real use.
  state = "available"
}

resource "aws_vpc" "existing" {
  # checkov:skip=CKV2_AWS_11:Example network; flow logs are the network owner's choice.
  cidr_block           = "10.60.0.0/20"
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = { Name = "existing-vpc-example" }
}

resource "aws_default_security_group" "existing" {
  vpc_id = aws_vpc.existing.id
}

resource "aws_internet_gateway" "existing" {
  vpc_id = aws_vpc.existing.id
}

resource "aws_subnet" "host" {
  vpc_id            = aws_vpc.existing.id
  availability_zone = data.aws_availability_zones.available.names[0]
  cidr_block        = "10.60.0.0/24"
}

resource "aws_route_table" "host" {
  vpc_id = aws_vpc.existing.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.existing.id
  }
}

resource "aws_route_table_association" "host" {
  subnet_id      = aws_subnet.host.id
  route_table_id = aws_route_table.host.id
}

resource "aws_subnet" "database" {
  count             = 2
  vpc_id            = aws_vpc.existing.id
  availability_zone = data.aws_availability_zones.available.names[count.index]
  cidr_block        = cidrsubnet("10.60.8.0/21", 3, count.index)
}

module "flyway_pipeline" {
  source = "../.."

  name_prefix         = "legacy"
  create_vpc          = false
  vpc_id              = aws_vpc.existing.id
  host_subnet_id      = aws_subnet.host.id
  database_subnet_ids = aws_subnet.database[*].id

  engine = "aurora-mysql"
  databases = {
    users    = {}
    products = {}
  }

  force_destroy       = true
  skip_final_snapshot = true
}
