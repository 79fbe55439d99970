#!/bin/sh
# Runs once after Elasticsearch is healthy: sets the password Kibana signs in with, and keeps
# the services' daily log indices for LOG_RETENTION_DAYS days (one node: no replicas).
set -eu

ES=http://elasticsearch:9200

call() {
    method=$1 path=$2 body=$3
    curl --silent --show-error --fail --user "elastic:${ELASTIC_PASSWORD}" \
        --request "$method" --header "Content-Type: application/json" \
        --data "$body" "$ES$path"
    echo
}

call POST /_security/user/kibana_system/_password \
    "{\"password\": \"${KIBANA_SYSTEM_PASSWORD}\"}"
call PUT /_ilm/policy/services-logs \
    "{\"policy\": {\"phases\": {\"hot\": {\"actions\": {}}, \"delete\": {\"min_age\": \"${LOG_RETENTION_DAYS}d\", \"actions\": {\"delete\": {}}}}}}"
call PUT /_index_template/services-logs \
    '{"index_patterns": ["services-*"], "template": {"settings": {"index.lifecycle.name": "services-logs", "number_of_replicas": 0}}}'
