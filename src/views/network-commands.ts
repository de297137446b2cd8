// "Create VPC" and "Create Subnet": a few validated input boxes, then a server-side apply whose
// dry run shows what the server will store before it is committed.
import * as vscode from 'vscode';
import { planApply } from '../k8s/server-side-apply';
import { DEFAULT_VPC } from '../k8s/store-indexes';
import {
  checkGateway,
  checkSubnetCidr,
  checkSubnetName,
  checkVpcName,
  defaultGateway,
  parseNamespaceList,
  subnetObject,
  vpcObject,
} from './network-input';
import { reportFailure, type CommandDeps } from './vm-commands';

function asMessage(v: string[] | string): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export async function createVpc(deps: CommandDeps): Promise<void> {
  try {
    const store = deps.session.requireStore();
    const name = await vscode.window.showInputBox({ title: 'Create VPC (1/2): name', placeHolder: 'vpc-a', validateInput: (v) => checkVpcName(v.trim(), store.list('vpcs')) });
    if (!name) return;
    const ns = await vscode.window.showInputBox({ title: 'Create VPC (2/2): namespaces that use it (optional)', placeHolder: 'team-a, team-b', validateInput: (v) => asMessage(parseNamespaceList(v)) });
    if (ns === undefined) return;
    const namespaces = parseNamespaceList(ns) as string[];
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ovnlab: creating Vpc ${name.trim()}` }, async () => {
      const plan = await planApply(store.client, 'vpcs', vpcObject(name.trim(), namespaces));
      await plan.commit();
      deps.log.info(`server-side applied ${plan.ref} (${plan.changes.length} field change(s))`);
    });
  } catch (e) {
    await reportFailure(deps, 'create VPC', e);
  }
}

export async function createSubnet(deps: CommandDeps, arg?: unknown): Promise<void> {
  try {
    const store = deps.session.requireStore();
    const subnets = (): ReturnType<typeof store.list<'subnets'>> => store.list('subnets');
    const fromNode = (arg as { kind?: string; name?: string } | undefined)?.kind === 'vpc' ? (arg as { name: string }).name : undefined;
    let vpc = fromNode;
    if (!vpc) {
      const names = [...new Set([DEFAULT_VPC, ...store.list('vpcs').map((v) => v.metadata.name)])].sort();
      vpc = (await vscode.window.showQuickPick(names, { title: 'Create Subnet (1/5): VPC' })) ?? undefined;
      if (!vpc) return;
    }
    const name = await vscode.window.showInputBox({ title: `Create Subnet in ${vpc} (2/5): name`, placeHolder: 'subnet-a', validateInput: (v) => checkSubnetName(v.trim(), subnets()) });
    if (!name) return;
    const cidr = await vscode.window.showInputBox({ title: `Create Subnet ${name} (3/5): CIDR`, placeHolder: '10.20.0.0/24', validateInput: (v) => checkSubnetCidr(v.trim(), vpc!, subnets()) });
    if (!cidr) return;
    const gw = await vscode.window.showInputBox({ title: `Create Subnet ${name} (4/5): gateway`, value: defaultGateway(cidr.trim()), validateInput: (v) => checkGateway(v.trim(), cidr.trim()) });
    if (!gw) return;
    const nat = await vscode.window.showQuickPick(['NAT outgoing: no', 'NAT outgoing: yes'], { title: `Create Subnet ${name} (5/5): masquerade traffic leaving the cluster?` });
    if (!nat) return;
    const ns = vpc === DEFAULT_VPC ? await vscode.window.showInputBox({ title: `Subnet ${name}: namespaces bound to it (optional)`, validateInput: (v) => asMessage(parseNamespaceList(v)) }) : '';
    if (ns === undefined) return;
    const obj = subnetObject({ name: name.trim(), vpc, cidr: cidr.trim(), gateway: gw.trim(), natOutgoing: nat.endsWith('yes'), namespaces: parseNamespaceList(ns) as string[] });
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ovnlab: creating Subnet ${obj.metadata.name}` }, async () => {
      const plan = await planApply(store.client, 'subnets', obj);
      await plan.commit();
      deps.log.info(`server-side applied ${plan.ref} (${plan.changes.length} field change(s))`);
    });
  } catch (e) {
    await reportFailure(deps, 'create Subnet', e);
  }
}
