/** The alarms an operator acts on (docs/DEPLOY.md "Alarms"), all announced on the notifications topic. */
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, MetricFilter, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** CloudWatch namespace of the metrics the service itself emits. */
export const METRIC_NAMESPACE = 'IamAutoheal';
export const CHANGE_BUDGET_METRIC = 'ChangeBudgetExhausted';

/**
 * The log line that counts as "change budget exhausted": a JSON log line (pino) of a step whose
 * `reason` starts with "change budget exhausted" (the guard's decision), or with
 * `"event": "change-budget-exhausted"`.
 */
export const CHANGE_BUDGET_FILTER = FilterPattern.any(
  FilterPattern.stringValue('$.reason', '=', 'change budget exhausted*'),
  FilterPattern.stringValue('$.event', '=', 'change-budget-exhausted'),
);

export interface AutohealAlarmsProps {
  topic: ITopic;
  deadLetterQueue: IQueue;
  stateMachine: IStateMachine;
  functions: readonly IFunction[];
  /** Log groups of the steps that decide budgets (the guard at least). */
  budgetLogGroups: readonly ILogGroup[];
}

export class AutohealAlarms extends Construct {
  readonly deadLetters: Alarm;
  readonly executionFailures: Alarm;
  readonly throttles: Alarm;
  readonly changeBudgetExhausted: Alarm;

  constructor(scope: Construct, id: string, props: AutohealAlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(5);

    this.deadLetters = deadLetterAlarm(this, 'DeadLetters', props.deadLetterQueue,
      'Events could not be processed after retries and wait in the dead-letter queue: inspect them, fix, redrive.');

    this.executionFailures = this.alarm('ExecutionFailures', new MathExpression({
      expression: 'failed + timedOut + aborted',
      usingMetrics: {
        failed: props.stateMachine.metricFailed({ period, statistic: 'Sum' }),
        timedOut: props.stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
        aborted: props.stateMachine.metricAborted({ period, statistic: 'Sum' }),
      },
      period,
      label: 'failed, timed-out and aborted executions',
    }), 'A remediation workflow failed, timed out or was aborted: open the execution, read the audit trail.');

    const throttles: Record<string, IMetric> = {};
    props.functions.forEach((fn, index) => (throttles[`t${index}`] = fn.metricThrottles({ period, statistic: 'Sum' })));
    this.throttles = this.alarm('Throttles', new MathExpression({
      expression: Object.keys(throttles).join(' + '),
      usingMetrics: throttles,
      period,
      label: 'throttled step invocations',
    }), 'Step functions were throttled (reserved concurrency reached): a storm is being absorbed, or the limits are too low.');

    for (const [index, logGroup] of props.budgetLogGroups.entries()) {
      new MetricFilter(this, `BudgetFilter${index}`, {
        logGroup,
        filterPattern: CHANGE_BUDGET_FILTER,
        metricNamespace: METRIC_NAMESPACE,
        metricName: CHANGE_BUDGET_METRIC,
        metricValue: '1',
        defaultValue: 0,
      });
    }
    this.changeBudgetExhausted = this.alarm('ChangeBudgetExhausted',
      new Metric({ namespace: METRIC_NAMESPACE, metricName: CHANGE_BUDGET_METRIC, period, statistic: 'Sum' }),
      'An account used up its hourly change budget: further changes wait for approval. A runaway, an attack, or a budget set too low.');

    for (const alarm of [this.deadLetters, this.executionFailures, this.throttles, this.changeBudgetExhausted]) {
      alarm.addAlarmAction(new SnsAction(props.topic));
    }
  }

  private alarm(id: string, metric: IMetric, description: string): Alarm {
    return countAlarm(this, id, metric, description);
  }
}

/** Fires as soon as the metric counts one (a dead letter, a failed execution, a throttle). */
function countAlarm(scope: Construct, id: string, metric: IMetric, description: string): Alarm {
  return new Alarm(scope, id, {
    metric,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    alarmDescription: `iam-autoheal: ${description}`,
  });
}

/** Fires while at least one message waits in a dead-letter queue (the highest count in 5 minutes). */
export function deadLetterAlarm(scope: Construct, id: string, queue: IQueue, description: string): Alarm {
  return countAlarm(scope, id, queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }), description);
}
