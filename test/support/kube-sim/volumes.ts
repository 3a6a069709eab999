import type Docker from 'dockerode';

/** Docker labels every object the simulator creates carries, so `close()` finds exactly its own. */
export const LABEL_INSTANCE = 'kube-sim/instance';

/** Creates and removes the Docker named volumes behind PVCs and emptyDirs. */
export class VolumeManager {
  private readonly pvcVolumes = new Map<string, string>();
  private readonly created = new Set<string>();

  constructor(private readonly docker: Docker, private readonly instanceId: string) {}

  /** The Docker volume provisioned for a PVC (by uid), if any. */
  pvcVolume(pvcUid: string): string | undefined {
    return this.pvcVolumes.get(pvcUid);
  }

  /**
   * Provisions `kube-sim-pvc-<ns>-<name>` for a PVC. A leftover volume of that name from an earlier run is replaced;
   * if the name is still held by an earlier claim of the same name (being released) or is busy, a uid suffix is used.
   */
  async provisionPvc(namespace: string, claim: string, uid: string): Promise<string> {
    const existing = this.pvcVolumes.get(uid);
    if (existing) return existing;
    let name = `kube-sim-pvc-${namespace}-${claim}`;
    if ([...this.pvcVolumes.values()].includes(name)) name = `${name}-${uid.slice(0, 8)}`;
    else {
      try {
        await this.docker.getVolume(name).inspect();
        try {
          await this.docker.getVolume(name).remove();
        } catch {
          name = `${name}-${uid.slice(0, 8)}`;
        }
      } catch {
        // not there: the normal case
      }
    }
    await this.docker.createVolume({ Name: name, Labels: { [LABEL_INSTANCE]: this.instanceId, 'kube-sim/namespace': namespace, 'kube-sim/pvc': claim, 'kube-sim/pvc-uid': uid } });
    this.created.add(name);
    this.pvcVolumes.set(uid, name);
    return name;
  }

  /** Removes a PVC's Docker volume (the caller checked no pod uses it). */
  async releasePvc(pvcUid: string): Promise<void> {
    const name = this.pvcVolumes.get(pvcUid);
    if (name) await this.removeVolume(name);
    this.pvcVolumes.delete(pvcUid);
  }

  /** Creates the per-pod volume behind an emptyDir. */
  async emptyDir(podUid: string, volume: string): Promise<string> {
    const name = `kube-sim-empty-${podUid.slice(0, 13)}-${volume}`;
    if (!this.created.has(name)) {
      await this.docker.createVolume({ Name: name, Labels: { [LABEL_INSTANCE]: this.instanceId, 'kube-sim/pod-uid': podUid } });
      this.created.add(name);
    }
    return name;
  }

  /** Removes the emptyDir volumes of a pod. */
  async releasePod(podUid: string): Promise<void> {
    const prefix = `kube-sim-empty-${podUid.slice(0, 13)}-`;
    await Promise.all([...this.created].filter((n) => n.startsWith(prefix)).map((n) => this.removeVolume(n)));
  }

  /** Where a volume lives on the Docker host (used for subPath binds, which API 1.41 cannot express otherwise). */
  async mountpoint(volume: string): Promise<string> {
    const info = (await this.docker.getVolume(volume).inspect()) as { Mountpoint: string };
    return info.Mountpoint;
  }

  private async removeVolume(name: string): Promise<void> {
    for (let i = 0; i < 20; i++) {
      try {
        await this.docker.getVolume(name).remove({ force: true });
        this.created.delete(name);
        return;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) {
          this.created.delete(name);
          return;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /** Removes every volume this instance created. */
  async removeAll(): Promise<void> {
    await Promise.all([...this.created].map((n) => this.removeVolume(n)));
    this.pvcVolumes.clear();
  }
}
