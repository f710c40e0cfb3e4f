#!/usr/bin/env bash
# Runs the migration step (backend/dist/scripts/db-indexes.js, with any arguments given here) as a
# one-off Fargate task of the task definition $TASK_DEFINITION, waits for it to stop and fails unless
# its container exited 0. Needs ECS_CLUSTER, ECS_CONTAINER_NAME, ECS_TASK_SUBNETS,
# ECS_TASK_SECURITY_GROUP and IMAGE_TAG in the environment.
set -euo pipefail

network="awsvpcConfiguration={subnets=[$ECS_TASK_SUBNETS],securityGroups=[$ECS_TASK_SECURITY_GROUP],assignPublicIp=DISABLED}"
overrides=$(jq -cn --arg name "$ECS_CONTAINER_NAME" --arg extra "$*" \
  '{containerOverrides: [{name: $name, command: (["node", "backend/dist/scripts/db-indexes.js"] + ($extra | split(" ") | map(select(. != ""))))}]}')
task=$(aws ecs run-task --cluster "$ECS_CLUSTER" --task-definition "$TASK_DEFINITION" \
  --launch-type FARGATE --network-configuration "$network" --overrides "$overrides" \
  --started-by "deploy-$IMAGE_TAG" --query 'tasks[0].taskArn' --output text)
if [ -z "$task" ] || [ "$task" = "None" ]; then echo "the migration task did not start"; exit 1; fi
echo "migration task $task (db-indexes $*)"
aws ecs wait tasks-stopped --cluster "$ECS_CLUSTER" --tasks "$task"
exit_code=$(aws ecs describe-tasks --cluster "$ECS_CLUSTER" --tasks "$task" \
  --query "tasks[0].containers[?name=='$ECS_CONTAINER_NAME'].exitCode | [0]" --output text)
echo "migration exit code: $exit_code"
if [ "$exit_code" != "0" ]; then
  aws ecs describe-tasks --cluster "$ECS_CLUSTER" --tasks "$task" --query 'tasks[0].stoppedReason' --output text
  exit 1
fi
