import { notApplicable, Rule, RuleOutcome, Severity, Violation } from '../model';
import { containersOf, POD_KINDS, podSpecPath, violation, withPodTemplate } from '../pod-helpers';
import { isRecord, podTemplateOf } from '../selectors';
import { MANIFEST_KINDS } from './schema';

/** Words that make an environment variable name a secret: one of its `_`-separated parts is, or ends with, one of them. */
const SECRET_NAME_PART = /^(?:[A-Z0-9]*PASSWORD|PASSWD|[A-Z0-9]*SECRET|[A-Z0-9]*TOKEN|APIKEY|CREDENTIALS?)$/;

/** Last parts that make the variable say where a secret is rather than hold it: `REDIS_PASSWORD_FILE`, `TOKEN_URL`. */
const REFERENCE_PARTS = new Set(['FILE', 'PATH', 'DIR', 'NAME', 'REF', 'URL']);

function isSecretName(name: string): boolean {
  const parts = name.toUpperCase().split(/[^A-Z0-9]+/);
  const last = parts[parts.length - 1];
  return !REFERENCE_PARTS.has(last) && (last === 'KEY' || parts.some((part) => SECRET_NAME_PART.test(part)));
}

/** APIs the API server no longer serves: `apiVersion/kind` to the release that removed it and what to use instead. */
const REMOVED_APIS = new Map<string, { readonly removedIn: string; readonly replacement: string }>(
  (
    [
      ['extensions/v1beta1', '1.16', ['Deployment', 'DaemonSet', 'ReplicaSet'], 'apps/v1'],
      ['extensions/v1beta1', '1.16', ['NetworkPolicy'], 'networking.k8s.io/v1'],
      ['extensions/v1beta1', '1.16', ['PodSecurityPolicy'], 'Pod Security Admission'],
      ['extensions/v1beta1', '1.22', ['Ingress'], 'networking.k8s.io/v1'],
      ['apps/v1beta1', '1.16', ['Deployment', 'StatefulSet'], 'apps/v1'],
      ['apps/v1beta2', '1.16', ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'], 'apps/v1'],
      ['networking.k8s.io/v1beta1', '1.22', ['Ingress', 'IngressClass'], 'networking.k8s.io/v1'],
      ['rbac.authorization.k8s.io/v1beta1', '1.22', ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'], 'rbac.authorization.k8s.io/v1'],
      ['scheduling.k8s.io/v1beta1', '1.22', ['PriorityClass'], 'scheduling.k8s.io/v1'],
      ['storage.k8s.io/v1beta1', '1.22', ['CSIDriver', 'StorageClass'], 'storage.k8s.io/v1'],
      [
        'admissionregistration.k8s.io/v1beta1',
        '1.22',
        ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
        'admissionregistration.k8s.io/v1',
      ],
      ['apiextensions.k8s.io/v1beta1', '1.22', ['CustomResourceDefinition'], 'apiextensions.k8s.io/v1'],
      ['apiregistration.k8s.io/v1beta1', '1.22', ['APIService'], 'apiregistration.k8s.io/v1'],
      ['policy/v1beta1', '1.25', ['PodDisruptionBudget'], 'policy/v1'],
      ['policy/v1beta1', '1.25', ['PodSecurityPolicy'], 'Pod Security Admission'],
      ['batch/v1beta1', '1.25', ['CronJob'], 'batch/v1'],
      ['discovery.k8s.io/v1beta1', '1.25', ['EndpointSlice'], 'discovery.k8s.io/v1'],
      ['node.k8s.io/v1beta1', '1.25', ['RuntimeClass'], 'node.k8s.io/v1'],
      ['autoscaling/v2beta1', '1.25', ['HorizontalPodAutoscaler'], 'autoscaling/v2'],
      ['autoscaling/v2beta2', '1.26', ['HorizontalPodAutoscaler'], 'autoscaling/v2'],
      ['flowcontrol.apiserver.k8s.io/v1beta1', '1.26', ['FlowSchema', 'PriorityLevelConfiguration'], 'flowcontrol.apiserver.k8s.io/v1'],
      ['flowcontrol.apiserver.k8s.io/v1beta2', '1.29', ['FlowSchema', 'PriorityLevelConfiguration'], 'flowcontrol.apiserver.k8s.io/v1'],
      ['flowcontrol.apiserver.k8s.io/v1beta3', '1.32', ['FlowSchema', 'PriorityLevelConfiguration'], 'flowcontrol.apiserver.k8s.io/v1'],
    ] as const
  ).flatMap(([apiVersion, removedIn, kinds, replacement]) => kinds.map((kind) => [`${apiVersion}/${kind}`, { removedIn, replacement }] as const)),
);

export const AUTOMOUNT_SERVICE_ACCOUNT_TOKEN_DISABLED: Rule = {
  id: 'automount-service-account-token-disabled',
  title: 'Pods get an API token only when they declare they need one',
  severity: Severity.WARNING,
  targets: [...POD_KINDS],
  rationale:
    'By default every container gets a token of its ServiceAccount, so anyone who gets code running in a data store can call the ' +
    'Kubernetes API with it. An explicit automountServiceAccountToken: true counts as the declared need.',
  fix: 'Set automountServiceAccountToken: false on the pod (or on its ServiceAccount), or true where the pod calls the API.',
  enabledByDefault: true,
  check(object, index): RuleOutcome {
    const template = podTemplateOf(object);
    if (!template) {
      return notApplicable('no pod template');
    }
    if (typeof template.spec.automountServiceAccountToken === 'boolean') {
      return [];
    }
    const accountName = template.spec.serviceAccountName ?? template.spec.serviceAccount ?? 'default';
    const account = index.find('ServiceAccount', object.metadata?.namespace, accountName);
    return account?.automountServiceAccountToken === false
      ? []
      : [
          violation(
            `${podSpecPath(template)}.automountServiceAccountToken`,
            `automountServiceAccountToken is unset and ServiceAccount ${accountName} does not disable it: every container gets an API token`,
          ),
        ];
  },
};

export const NO_DEPRECATED_SERVICE_ACCOUNT_FIELD: Rule = {
  id: 'no-deprecated-service-account-field',
  title: 'Pods name their ServiceAccount with serviceAccountName, not the deprecated serviceAccount',
  severity: Severity.WARNING,
  targets: [...POD_KINDS],
  rationale: 'serviceAccount is a deprecated alias that tools and policies ignore; when it disagrees with serviceAccountName, readers guess wrong.',
  fix: 'Rename serviceAccount to serviceAccountName.',
  enabledByDefault: true,
  check(object): RuleOutcome {
    return withPodTemplate(object, (template) =>
      template.spec.serviceAccount === undefined
        ? []
        : [violation(`${podSpecPath(template)}.serviceAccount`, `the deprecated serviceAccount field names ${template.spec.serviceAccount}`)],
    );
  },
};

export const CONTAINER_NO_LITERAL_SECRET_ENV: Rule = {
  id: 'container-no-literal-secret-env',
  title: 'No container has a secret as a literal environment value',
  severity: Severity.ERROR,
  targets: [...POD_KINDS],
  rationale:
    'A password, token or key written as an env value is in the manifests, so in git, in every rendered diff and in the object ' +
    'every reader of the workload can see; it cannot be rotated without a deploy.',
  fix: 'Use valueFrom.secretKeyRef to a Secret created out of band (External Secrets, Sealed Secrets), or mount the Secret as a file.',
  enabledByDefault: true,
  check(object): RuleOutcome {
    return withPodTemplate(object, (template) =>
      containersOf(template).flatMap(({ container, path }) =>
        (Array.isArray(container?.env) ? container.env : []).flatMap((variable: any, position: number) =>
          typeof variable?.name === 'string' &&
          isSecretName(variable.name) &&
          typeof variable.value === 'string' &&
          variable.value !== '' &&
          // `$(OTHER)` only expands another variable, which is where the secret lives.
          !/^\$\([A-Za-z_][A-Za-z0-9_]*\)$/.test(variable.value)
            ? [violation(`${path}.env[${position}].value`, `container "${container.name}" sets ${variable.name} to a literal value`)]
            : [],
        ),
      ),
    );
  },
};

export const IMAGE_TAG_PINNED: Rule = {
  id: 'image-tag-pinned',
  title: 'Every container image has a fixed tag or a digest',
  severity: Severity.ERROR,
  targets: [...POD_KINDS],
  rationale:
    'An image without a tag, or tagged latest, is whatever the registry holds when each node pulls it: replicas run different ' +
    'versions, a restart silently upgrades, and a rollback has nothing to roll back to. A pinned tag is also what makes ' +
    'imagePullPolicy IfNotPresent safe.',
  fix: 'Use an explicit version tag (redis:7.4.8-bookworm) or a digest (redis@sha256:...).',
  enabledByDefault: true,
  check(object): RuleOutcome {
    return withPodTemplate(object, (template) =>
      containersOf(template).flatMap(({ container, path }): Violation[] => {
        const image = container?.image;
        if (typeof image !== 'string' || image === '') {
          return [violation(`${path}.image`, `container "${container?.name}" names no image`)];
        }
        if (image.includes('@')) {
          return [];
        }
        const colon = image.lastIndexOf(':');
        const tag = colon > image.lastIndexOf('/') ? image.slice(colon + 1) : undefined;
        if (tag === undefined) {
          return [
            violation(`${path}.image`, `container "${container.name}" image ${image} has no tag, so it runs whatever latest is when a node pulls`),
          ];
        }
        return tag === 'latest' ? [violation(`${path}.image`, `container "${container.name}" image ${image} uses the moving tag latest`)] : [];
      }),
    );
  },
};

export const CONTAINER_NO_DUPLICATE_ENV: Rule = {
  id: 'container-no-duplicate-env',
  title: 'No container sets the same environment variable twice',
  severity: Severity.ERROR,
  targets: [...POD_KINDS],
  rationale:
    'With a duplicated name the last value silently wins, so the one a reader sees first is not the one in effect; server-side ' +
    'apply rejects the list outright, since env is keyed by name.',
  fix: 'Keep one entry per variable name.',
  enabledByDefault: true,
  check(object): RuleOutcome {
    return withPodTemplate(object, (template) =>
      containersOf(template).flatMap(({ container, path }) => {
        const firstPosition = new Map<string, number>();
        return (Array.isArray(container?.env) ? container.env : []).flatMap((variable: any, position: number) => {
          const first = firstPosition.get(variable?.name);
          if (first === undefined) {
            firstPosition.set(variable?.name, position);
            return [];
          }
          return [violation(`${path}.env[${position}].name`, `container "${container.name}" sets ${variable.name} again (first at env[${first}])`)];
        });
      }),
    );
  },
};

export const NO_DEPRECATED_API_VERSION: Rule = {
  id: 'no-deprecated-api-version',
  title: 'No object uses an API version that Kubernetes has removed',
  severity: Severity.ERROR,
  targets: MANIFEST_KINDS,
  rationale: 'A current API server refuses an object in a removed API version, so the apply fails, typically in the middle of an upgrade.',
  fix: 'Move the object to the replacement API version, adapting the fields that changed.',
  enabledByDefault: true,
  check(object): RuleOutcome {
    const removed = REMOVED_APIS.get(`${object.apiVersion}/${object.kind}`);
    return removed
      ? [violation('apiVersion', `${object.apiVersion} ${object.kind} was removed in Kubernetes ${removed.removedIn}: use ${removed.replacement}`)]
      : [];
  },
};

export const SECRET_HAS_NO_LITERAL_DATA: Rule = {
  id: 'secret-has-no-literal-data',
  title: 'No Secret carries its values in the manifests',
  severity: Severity.ERROR,
  targets: ['Secret'],
  rationale:
    'Manifests end up in git, CI logs and rendered diffs, where base64 hides nothing: a Secret with data or stringData leaks its ' +
    'values to everyone who can read the repository, forever.',
  fix:
    'Create the Secret out of band and only reference it (secretKeyRef, a secret volume), or generate it from an encrypted source ' +
    'with External Secrets or Sealed Secrets.',
  enabledByDefault: true,
  check(object): RuleOutcome {
    return (['data', 'stringData'] as const).flatMap((field) => {
      const keys = isRecord(object[field]) ? Object.keys(object[field]) : [];
      return keys.length === 0 ? [] : [violation(field, `the Secret carries literal values in ${field} (keys: ${keys.join(', ')})`)];
    });
  },
};

export const IDENTITY_RULES: readonly Rule[] = [
  AUTOMOUNT_SERVICE_ACCOUNT_TOKEN_DISABLED,
  NO_DEPRECATED_SERVICE_ACCOUNT_FIELD,
  CONTAINER_NO_LITERAL_SECRET_ENV,
  IMAGE_TAG_PINNED,
  CONTAINER_NO_DUPLICATE_ENV,
  NO_DEPRECATED_API_VERSION,
  SECRET_HAS_NO_LITERAL_DATA,
];
