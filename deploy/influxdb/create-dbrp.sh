#!/bin/sh
# InfluxDB 2.x init hook: map the database name the dashboards' InfluxQL uses to the bucket.
set -eu
bucket_id=$(influx bucket list --name "$DOCKER_INFLUXDB_INIT_BUCKET" --hide-headers | cut -f1)
influx v1 dbrp create --bucket-id "$bucket_id" --db "$DOCKER_INFLUXDB_INIT_BUCKET" --rp autogen --default
