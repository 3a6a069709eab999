/**
 * Provider files used by the config tests. The DevPod drivers page's examples
 * (reference/devpod-drivers.txt) and DevPod's own provider files are copied verbatim, except where
 * a comment says otherwise.
 */

/** The page's Docker driver example, verbatim. It has no `name`: callers pass one. */
export const PAGE_DOCKER_EXAMPLE = `containerInactivityTimeout: 300
path: /usr/bin/docker
install: false
`;

/** The page's Kubernetes provider example exactly as the page prints it: the block scalar's content is not indented. */
export const PAGE_KUBERNETES_EXAMPLE_AS_PRINTED = `name: simple-kubernetes
version: v0.0.1
containerInactivityTimeout: 300 # Pod will automatically kill itself after timeout
path: \${DEVPOD}
driver: kubernetes
# path: /usr/bin/kubectl
# namespace: my-namespace-for-devpod
# context: default
# clusterRole: ""
# serviceAccount: ""
buildRepository: ""
# helperImage: "ubuntu:latest"
# buildkitImage: "moby/buildkit"
# buildkitPrivileged: false
persistentVolumeSize: 20Gi
createNamespace: true
command: |-
\${DEVPOD} helper sh -c "\${COMMAND}"
`;

/** The same example with its last line indented under `command: |-`, as YAML requires. */
export const PAGE_KUBERNETES_EXAMPLE = PAGE_KUBERNETES_EXAMPLE_AS_PRINTED.replace(
  '\n${DEVPOD} helper',
  '\n  ${DEVPOD} helper',
);

/**
 * The page's Kubernetes example with every commented-out key enabled (values from its comments),
 * except `# path: /usr/bin/kubectl`, which would repeat the `path` key.
 */
export const PAGE_KUBERNETES_ALL_KEYS = `name: simple-kubernetes
version: v0.0.1
containerInactivityTimeout: 300 # Pod will automatically kill itself after timeout
path: \${DEVPOD}
driver: kubernetes
namespace: my-namespace-for-devpod
context: default
clusterRole: ""
serviceAccount: ""
buildRepository: ""
helperImage: "ubuntu:latest"
buildkitImage: "moby/buildkit"
buildkitPrivileged: false
persistentVolumeSize: 20Gi
createNamespace: true
command: |-
  \${DEVPOD} helper sh -c "\${COMMAND}"
`;

/** DevPod's own docker provider (loft-sh/devpod providers/docker/provider.yaml). */
export const DEVPOD_DOCKER_PROVIDER = `name: docker
version: v0.0.1
icon: https://devpod.sh/assets/docker.svg
home: https://github.com/loft-sh/devpod
description: |-
  DevPod on Docker
optionGroups:
  - options:
      - DOCKER_PATH
      - DOCKER_HOST
      - INACTIVITY_TIMEOUT
    name: "Advanced Options"
options:
  INACTIVITY_TIMEOUT:
    description: "If defined, will automatically stop the container after the inactivity period. Examples: 10m, 1h"
  DOCKER_PATH:
    description: The path where to find the docker binary.
    default: docker
  DOCKER_HOST:
    global: true
    description: The docker host to use.
agent:
  containerInactivityTimeout: \${INACTIVITY_TIMEOUT}
  local: true
  docker:
    path: \${DOCKER_PATH}
    install: false
    env:
      DOCKER_HOST: \${DOCKER_HOST}
exec:
  init: |-
    # Check if docker exists and is reachable
    DOCKER_HOST=\${DOCKER_HOST} \${DOCKER_PATH} ps >/dev/null 2>&1
    if [ $? -ne 0 ]; then
      >&2 echo "Seems like docker is not reachable on your system."
      >&2 echo "Please make sure docker is installed and running."
      >&2 echo "You can verify if docker is running correctly via '\${DOCKER_PATH} ps'"
      exit 1
    fi

  command: |-
    "\${DEVPOD}" helper sh -c "\${COMMAND}"
`;

/** DevPod's A-era (kubectl) kubernetes provider (loft-sh/devpod providers/kubernetes/provider.yaml). */
export const DEVPOD_KUBERNETES_PROVIDER = `name: kubernetes
version: v0.0.1
icon: https://cncf-branding.netlify.app/img/projects/kubernetes/stacked/color/kubernetes-stacked-color.svg
home: https://github.com/loft-sh/devpod
description: |-
  DevPod on Kubernetes
optionGroups:
  - options:
      - KUBERNETES_NAMESPACE
      - DISK_SIZE
      - BUILD_REPOSITORY
    name: "Options"
    defaultVisible: true
  - options:
      - KUBERNETES_CONTEXT
      - KUBERNETES_CONFIG
    name: "Kubernetes Config"
  - options:
      - BUILDKIT_IMAGE
      - BUILDKIT_PRIVILEGED
      - HELPER_IMAGE
    name: "Building"
  - options:
      - CLUSTER_ROLE
      - SERVICE_ACCOUNT
      - CREATE_NAMESPACE
      - KUBECTL_PATH
      - INACTIVITY_TIMEOUT
    name: "Advanced Options"
options:
  BUILD_REPOSITORY:
    description: If defined, DevPod will build and push images to the given repository. If empty, DevPod will not build any images. Make sure you have push permissions for the given repository.
    global: true
  DISK_SIZE:
    description: The default size for the persistent volume to use.
    default: 10Gi
  BUILDKIT_IMAGE:
    description: The buildkit image to use for building dev containers.
    global: true
  BUILDKIT_PRIVILEGED:
    description: If the buildkit pod should run as a privileged pod.
    type: boolean
    global: true
  KUBERNETES_CONTEXT:
    description: The kubernetes context to use. E.g. my-kube-context
  KUBERNETES_CONFIG:
    description: The kubernetes config to use. E.g. /path/to/my/kube/config.yaml
  KUBERNETES_NAMESPACE:
    description: The kubernetes namespace to use
    command: |-
      NAMESPACE=$(KUBECONFIG=\${KUBERNETES_CONFIG} \${KUBECTL_PATH} config view --context=\${KUBERNETES_CONTEXT} --minify -o jsonpath='{..namespace}' 2>/dev/null || true)
      if [ -z "\${NAMESPACE}" ]; then
        NAMESPACE=default
      fi
      echo $NAMESPACE
  CREATE_NAMESPACE:
    description: If true, DevPod will try to create the namespace.
    default: "true"
    type: boolean
    global: true
  CLUSTER_ROLE:
    description: If defined, DevPod will create a role binding for the given cluster role.
  SERVICE_ACCOUNT:
    description: If defined, DevPod will use the given service account for the dev container.
  HELPER_IMAGE:
    description: The image DevPod will use to find out the cluster architecture. Defaults to alpine.
    global: true
  KUBECTL_PATH:
    description: The path where to find the kubectl binary.
    default: kubectl
    global: true
  INACTIVITY_TIMEOUT:
    description: If defined, will automatically stop the pod after the inactivity period.
agent:
  containerInactivityTimeout: \${INACTIVITY_TIMEOUT}
  path: \${DEVPOD}
  driver: kubernetes
  kubernetes:
    path: \${KUBECTL_PATH}
    namespace: \${KUBERNETES_NAMESPACE}
    context: \${KUBERNETES_CONTEXT}
    config: \${KUBERNETES_CONFIG}
    clusterRole: \${CLUSTER_ROLE}
    serviceAccount: \${SERVICE_ACCOUNT}
    buildRepository: \${BUILD_REPOSITORY}
    helperImage: \${HELPER_IMAGE}
    buildkitImage: \${BUILDKIT_IMAGE}
    buildkitPrivileged: \${BUILDKIT_PRIVILEGED}
    persistentVolumeSize: \${DISK_SIZE}
    createNamespace: \${CREATE_NAMESPACE}
exec:
  init: |-
    # Check if kubernetes is reachable
    KUBERNETES_REACHABLE=$(KUBECONFIG=\${KUBERNETES_CONFIG} \${KUBECTL_PATH} get pods --namespace=\${KUBERNETES_NAMESPACE} --context=\${KUBERNETES_CONTEXT} > /dev/null 2>&1 && echo -n "true" || echo -n "false")
    if [ "KUBERNETES_REACHABLE" = "false" ]; then
      >&2 echo "Seems like kubernetes is not reachable on your system."
      >&2 echo "Please make sure kubectl is installed and working."
      >&2 echo "You can verify if kubectl is working correctly via: KUBECONFIG=\${KUBERNETES_CONFIG} \${KUBECTL_PATH} get pods --namespace=\${KUBERNETES_NAMESPACE} --context=\${KUBERNETES_CONTEXT}"
      exit 1
    fi

  command: |-
    \${DEVPOD} helper sh -c "\${COMMAND}"
`;

/** A provider written with DevPod's newer (client-go era) Kubernetes spellings; made up for the tests. */
export const NEWER_SPELLINGS_PROVIDER = `name: kube-new
version: v0.7.0
options:
  DISK_SIZE:
    default: 30Gi
  NODE_SELECTOR:
    default: disktype=ssd,topology.kubernetes.io/zone=eu-1a
  STORAGE_CLASS:
    default: fast-ssd
agent:
  driver: kubernetes
  containerInactivityTimeout: 1h30m
  kubernetes:
    kubernetesNamespace: workspaces
    kubernetesContext: prod
    kubernetesConfig: /etc/workbay/kubeconfig
    diskSize: \${DISK_SIZE}
    storageClass: \${STORAGE_CLASS}
    nodeSelector: \${NODE_SELECTOR}
    resources: requests.cpu=500m,limits.memory=2Gi
    labels: team=platform,cost-center=42
    podManifestTemplate: /etc/workbay/pod-template.yaml
    pvcAccessMode: RWX
    architecture: arm64
    podTimeout: 10m
    pvcAnnotations: backup=true
    strictSecurity: "true"
    kubernetesPullSecretsEnabled: "false"
exec:
  command: |-
    "\${DEVPOD}" helper sh -c "\${COMMAND}"
`;
