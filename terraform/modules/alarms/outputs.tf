output "topic_arn" {
  description = "SNS topic every alarm notifies (subscribe a pager or chat integration to it)."
  value       = aws_sns_topic.this.arn
}

output "alarm_names" {
  description = "Names of every alarm this module creates."
  value = concat(
    [
      aws_cloudwatch_metric_alarm.alb_5xx_rate.alarm_name,
      aws_cloudwatch_metric_alarm.alb_p99.alarm_name,
      aws_cloudwatch_metric_alarm.unhealthy_hosts.alarm_name,
      aws_cloudwatch_metric_alarm.no_healthy_hosts.alarm_name,
      aws_cloudwatch_metric_alarm.ecs_cpu.alarm_name,
      aws_cloudwatch_metric_alarm.ecs_memory.alarm_name,
    ],
    [for alarm in aws_cloudwatch_metric_alarm.redis_cpu : alarm.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.redis_evictions : alarm.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.documentdb_cpu : alarm.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.documentdb_connections : alarm.alarm_name],
  )
}
