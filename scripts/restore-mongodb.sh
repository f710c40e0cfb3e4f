#!/usr/bin/env bash
# Point-in-time restore of Primo's MongoDB (MongoDB Atlas or Amazon DocumentDB) into a NEW cluster,
# then switches one environment's API to it. The procedure and its recovery objectives are in
# docs/backup-and-restore.md. Without --execute it only prints the commands it would run.
#
#   scripts/restore-mongodb.sh --environment production --provider atlas \
#     --source primo-production --target primo-production-restore-1 --time 2026-12-02T03:15:00Z \
#     --atlas-project 0123456789abcdef01234567 [--execute]
#   scripts/restore-mongodb.sh --environment production --provider documentdb \
#     --source primo-production --target primo-production-restore-1 --time 2026-12-02T03:15:00Z \
#     [--instance-class db.r6g.large] [--execute]
#
# Needs: aws (and atlas for --provider atlas), jq; AWS credentials allowed to read and write the
# environment's Secrets Manager secret, run its migration task and update its ECS service.
set -euo pipefail

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
fail() {
  echo "restore-mongodb: $*" >&2
  exit 2
}

# The new connection string keeps the user, password, database and options; only the host changes.
rewrite_uri() {
  printf '%s' "$1" | sed -E "s#^(mongodb(\\+srv)?://([^@/]*@)?)[^/?]+#\\1$2#"
}
if [ "${1:-}" = "rewrite-uri" ]; then
  [ $# -eq 3 ] || fail "usage: $0 rewrite-uri <uri> <new host>"
  rewrite_uri "$2" "$3"
  echo
  exit 0
fi

environment="" provider="" source_cluster="" target_cluster="" restore_time="" atlas_project=""
instance_class="db.r6g.large" execute=false name="primo"
while [ $# -gt 0 ]; do
  case "$1" in
    --environment) environment="${2:-}"; shift 2 ;;
    --provider) provider="${2:-}"; shift 2 ;;
    --source) source_cluster="${2:-}"; shift 2 ;;
    --target) target_cluster="${2:-}"; shift 2 ;;
    --time) restore_time="${2:-}"; shift 2 ;;
    --atlas-project) atlas_project="${2:-}"; shift 2 ;;
    --instance-class) instance_class="${2:-}"; shift 2 ;;
    --name) name="${2:-}"; shift 2 ;;
    --execute) execute=true; shift ;;
    -h | --help) usage ;;
    *) fail "unknown argument $1 (see --help)" ;;
  esac
done

[[ "$environment" =~ ^[a-z][a-z0-9-]*$ ]] || fail "--environment must name the environment (production, staging)"
[[ "$provider" == "atlas" || "$provider" == "documentdb" ]] || fail "--provider must be atlas or documentdb, got \"$provider\""
[[ "$source_cluster" =~ ^[A-Za-z][A-Za-z0-9-]*$ ]] || fail "--source must be the cluster to restore from"
[[ "$target_cluster" =~ ^[A-Za-z][A-Za-z0-9-]*$ ]] || fail "--target must be the name of the new cluster"
[ "$source_cluster" != "$target_cluster" ] || fail "--target must differ from --source: a restore never overwrites the live cluster"
[[ "$restore_time" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] ||
  fail "--time must be a UTC time like 2026-12-02T03:15:00Z, got \"$restore_time\""
restore_epoch=$(date -u -d "$restore_time" +%s 2>/dev/null) || fail "--time \"$restore_time\" is not a valid date"
[ "$restore_epoch" -le "$(date -u +%s)" ] || fail "--time $restore_time is in the future"
if [ "$provider" = "atlas" ]; then
  [[ "$atlas_project" =~ ^[0-9a-f]{24}$ ]] || fail "--provider atlas needs --atlas-project <24-hex project id>"
fi

secret_id="$name/$environment/mongodb-uri"
cluster="$name-$environment-api"
service="$name-$environment-api"

step() {
  echo "+ $*" >&2
  if $execute; then "$@"; fi
}

echo "restore-mongodb: $provider cluster $source_cluster as of $restore_time -> new cluster $target_cluster" >&2
$execute || echo "restore-mongodb: dry run; pass --execute to run these commands" >&2

# 1. Restore into a new cluster (the live one stays untouched until the switch in step 3).
if [ "$provider" = "atlas" ]; then
  step atlas backups restores start pointInTime --projectId "$atlas_project" --clusterName "$source_cluster" \
    --pointInTimeUTCSeconds "$restore_epoch" --targetProjectId "$atlas_project" --targetClusterName "$target_cluster"
  step atlas clusters watch "$target_cluster" --projectId "$atlas_project"
  new_host_cmd=(atlas clusters describe "$target_cluster" --projectId "$atlas_project" -o json)
  host_filter='.connectionStrings.standardSrv | sub("^mongodb\\+srv://"; "")'
else
  step aws docdb restore-db-cluster-to-point-in-time --source-db-cluster-identifier "$source_cluster" \
    --db-cluster-identifier "$target_cluster" --restore-to-time "$restore_time"
  step aws docdb create-db-instance --db-cluster-identifier "$target_cluster" \
    --db-instance-identifier "$target_cluster-1" --db-instance-class "$instance_class" --engine docdb
  step aws docdb wait db-instance-available --db-instance-identifier "$target_cluster-1"
  new_host_cmd=(aws docdb describe-db-clusters --db-cluster-identifier "$target_cluster" --output json)
  host_filter='.DBClusters[0] | "\(.Endpoint):\(.Port)"'
fi

# 2. The new connection string: the current secret's credentials and options, the new cluster's host.
echo "+ new MONGODB_URI = current secret $secret_id with its host replaced by $target_cluster's" >&2
if $execute; then
  current_uri=$(aws secretsmanager get-secret-value --secret-id "$secret_id" --query SecretString --output text)
  new_host=$("${new_host_cmd[@]}" | jq -r "$host_filter")
  [ -n "$new_host" ] && [ "$new_host" != "null" ] || fail "could not read the new cluster's address"
  new_uri=$(rewrite_uri "$current_uri" "$new_host")
  aws secretsmanager put-secret-value --secret-id "$secret_id" --secret-string "$new_uri" > /dev/null
  echo "restore-mongodb: $secret_id now names $new_host (the previous value is the secret's AWSPREVIOUS version)" >&2
fi

# 3. Indexes on the restored data, then every task restarted on the new secret, then the smoke test.
echo "+ run the migration step (db-indexes) against the new cluster: .github/scripts/ecs-run-migration.sh with this environment's ECS_* variables" >&2
step aws ecs update-service --cluster "$cluster" --service "$service" --force-new-deployment --query 'service.serviceName' --output text
step aws ecs wait services-stable --cluster "$cluster" --services "$service"
echo "restore-mongodb: check https://<SPA domain>/health/ready answers 200 with checks.database \"up\", then keep or delete $source_cluster" >&2
