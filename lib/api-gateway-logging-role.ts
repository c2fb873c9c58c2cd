import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** What API Gateway does in CloudWatch Logs for the APIs of an account (as in AmazonAPIGatewayPushToCloudWatchLogs). */
export const API_GATEWAY_LOGGING_ACTIONS = [
  'logs:CreateLogGroup',
  'logs:CreateLogStream',
  'logs:DescribeLogGroups',
  'logs:DescribeLogStreams',
  'logs:PutLogEvents',
  'logs:GetLogEvents',
  'logs:FilterLogEvents',
] as const;

/**
 * The account-level role API Gateway writes logs with. A WebSocket stage with access logging
 * fails to deploy ("CloudWatch Logs role ARN must be set in account settings to enable logging")
 * in an account that has none. This sets one, scoped to this account's log groups in this
 * region instead of the AWS managed policy's `*`.
 *
 * It is a regional account setting shared by every API: both resources are retained when the
 * stack goes, so the other APIs keep logging. Leave it out (`apiGatewayCloudWatchRole: false`)
 * when the account already has a role.
 */
export class ApiGatewayLoggingRole extends Construct {
  readonly role: iam.Role;
  readonly account: apigateway.CfnAccount;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const logGroups = Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway (account setting): write API logs to CloudWatch Logs',
      inlinePolicies: {
        CloudWatchLogs: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: [...API_GATEWAY_LOGGING_ACTIONS], resources: [logGroups] })],
        }),
      },
    });
    this.role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.account = new apigateway.CfnAccount(this, 'Account', { cloudWatchRoleArn: this.role.roleArn });
    this.account.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
}
