/**
 * What a Lambda bundle contains, read from esbuild's metafile: the AWS SDK clients and commands
 * (from which its SDK floor is generated) and the modules beyond that floor. Pure, unit-tested in
 * `test/bench/bundle-contents.test.ts`.
 */
import type { Metafile } from 'esbuild';

export const SDK_CLIENTS: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'DynamoDBClient',
  '@aws-sdk/client-sqs': 'SQSClient',
  '@aws-sdk/client-apigatewaymanagementapi': 'ApiGatewayManagementApiClient',
};
/** The JavaScript output of a one-entry build (not its source map). */
function bundleOutput(metafile: Metafile): Metafile['outputs'][string] | undefined {
  return Object.entries(metafile.outputs).find(([path]) => path.endsWith('.js'))?.[1];
}

const DOCUMENT_CLIENT_PACKAGE = '@aws-sdk/lib-dynamodb';
const SDK_FILE = /node_modules\/(@aws-sdk\/[^/]+)\/dist-[a-z]+\/(?:(commands)\/([A-Za-z]+Command)\.js|([A-Za-z]+Client)\.js)$/;

/** SDK packages, clients and commands that made it into the bundle (bytes in output > 0). */
export function sdkContents(metafile: Metafile): { clients: Map<string, string>; commands: Array<{ pkg: string; name: string }>; documentClient: boolean } {
  const output = bundleOutput(metafile);
  const clients = new Map<string, string>();
  const commands: Array<{ pkg: string; name: string }> = [];
  let documentClient = false;
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    if (input.bytesInOutput === 0) continue;
    const match = SDK_FILE.exec(path);
    if (!match) continue;
    const pkg = match[1]!;
    if (match[2] && match[3]) commands.push({ pkg, name: match[3] });
    else if (match[4] === SDK_CLIENTS[pkg]) clients.set(pkg, match[4]!);
    else if (pkg === DOCUMENT_CLIENT_PACKAGE && match[4] === 'DynamoDBDocumentClient') documentClient = true;
  }
  return { clients, commands, documentClient };
}

function inputBytes(metafile: Metafile): Map<string, number> {
  const output = bundleOutput(metafile);
  return new Map(Object.entries(output?.inputs ?? {}).map(([path, input]) => [path, input.bytesInOutput]));
}

/**
 * What the bundle holds beyond its SDK floor, largest first: bytes by project file, or by package
 * for dependencies (module by module, so it adds up to the difference in size, give or take the
 * few bytes of the floor's own stub).
 */
export function ownModules(bundle: Metafile, floor: Metafile): Array<{ module: string; bytes: number }> {
  const floorBytes = inputBytes(floor);
  const totals = new Map<string, number>();
  for (const [path, bytes] of inputBytes(bundle)) {
    const extra = bytes - (floorBytes.get(path) ?? 0);
    if (extra <= 0) continue;
    const name = path.includes('node_modules/') ? /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)![1]! : path;
    totals.set(name, (totals.get(name) ?? 0) + extra);
  }
  return [...totals].map(([module, bytes]) => ({ module, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** Source of the SDK floor of a bundle: its clients built at init, its commands referenced, no logic. */
export function sdkFloorSource(contents: ReturnType<typeof sdkContents>): string {
  const lines: string[] = [];
  const references: string[] = [];
  let alias = 0;
  const imports = new Map<string, string[]>();
  const addImport = (pkg: string, name: string): string => {
    const local = `S${alias++}`;
    imports.set(pkg, [...(imports.get(pkg) ?? []), `${name} as ${local}`]);
    return local;
  };
  const clientLines: string[] = [];
  for (const [pkg, name] of contents.clients) {
    const local = addImport(pkg, name);
    const options = name === 'ApiGatewayManagementApiClient' ? '{ endpoint: process.env.MANAGEMENT_API_ENDPOINT }' : '{}';
    clientLines.push(`const client${local} = new ${local}(${options});`);
    references.push(`client${local}`);
    if (pkg === '@aws-sdk/client-dynamodb' && contents.documentClient) {
      const documents = addImport(DOCUMENT_CLIENT_PACKAGE, 'DynamoDBDocumentClient');
      clientLines.push(`const documents = ${documents}.from(client${local}, { marshallOptions: { removeUndefinedValues: true } });`);
      references.push('documents');
    }
  }
  for (const command of contents.commands) references.push(addImport(command.pkg, command.name));
  for (const [pkg, names] of imports) lines.push(`import { ${names.join(', ')} } from '${pkg}';`);
  lines.push(...clientLines);
  lines.push(`const used: unknown[] = [${references.join(', ')}];`);
  lines.push('export const handler = async (event: { index?: number }) => used[event.index ?? 0] !== undefined;');
  return `${lines.join('\n')}\n`;
}
