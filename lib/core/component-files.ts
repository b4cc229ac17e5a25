import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { configHash, readAssets } from './config';

export interface ComponentFilesProps {
  /** Metadata of a ConfigMap of the component, by name and role (`config`, `scripts`). */
  readonly metadata: (name: string, role: string) => k8s.ObjectMeta;
  readonly configMapName: string;
  /** The configuration files, by file name, as the construct rendered them. */
  readonly config: Record<string, string>;
  readonly scriptsMapName: string;
  /** The directory the pod scripts ship in, next to the component's code. */
  readonly scriptsDirectory: string;
  readonly scriptFiles: readonly string[];
}

/**
 * A component's configuration files and pod scripts, as two ConfigMaps mounted read-only, and the digest of both
 * that rolls the pods when either changes (a ConfigMap change alone does not restart a pod).
 */
export class ComponentFiles extends Construct {
  /** Put on the pod template: a new digest is a new template, so the pods roll. */
  public readonly hash: string;
  public readonly config: Readonly<Record<string, string>>;
  public readonly scripts: Readonly<Record<string, string>>;
  private readonly configMapName: string;
  private readonly scriptsMapName: string;

  constructor(scope: Construct, id: string, props: ComponentFilesProps) {
    super(scope, id);
    this.config = props.config;
    this.scripts = readAssets(props.scriptsDirectory, props.scriptFiles);
    this.configMapName = props.configMapName;
    this.scriptsMapName = props.scriptsMapName;
    this.hash = configHash(this.config, this.scripts);
    new k8s.KubeConfigMap(this, 'Config', { metadata: props.metadata(props.configMapName, 'config'), data: { ...this.config } });
    new k8s.KubeConfigMap(this, 'Scripts', { metadata: props.metadata(props.scriptsMapName, 'scripts'), data: { ...this.scripts } });
  }

  /** The two volumes, named `config` and `scripts`, readable by anyone (the files hold no secret). */
  public volumes(): k8s.Volume[] {
    return [
      { name: 'config', configMap: { name: this.configMapName, defaultMode: 0o444 } },
      { name: 'scripts', configMap: { name: this.scriptsMapName, defaultMode: 0o444 } },
    ];
  }

  /** Read-only mounts of the two volumes. */
  public mounts(configDir: string, scriptsDir: string): k8s.VolumeMount[] {
    return [
      { name: 'config', mountPath: configDir, readOnly: true },
      { name: 'scripts', mountPath: scriptsDir, readOnly: true },
    ];
  }
}
