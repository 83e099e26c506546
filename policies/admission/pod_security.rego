# METADATA
# title: rampart default admission policy (kube-mgmt style)
# description: |
#   Denies workloads that break the basics of pod security: untrusted
#   registries, mutable image tags, privileged or escalating containers,
#   host namespaces and paths, root users, dangerous capabilities, missing
#   resource limits and missing ownership labels.  input is the whole
#   AdmissionReview; each deny message names the object and the reason.
package kubernetes.admission

import rego.v1

# Registries images may come from (prefix match on the image reference).
trusted_registries := {
	"registry.k8s.io/",
	"ghcr.io/rampart/",
	"registry.example.com/",
}

# Labels every workload must carry, so an owner can be found.
required_labels := {"app", "team"}

# Capabilities no container may add.
forbidden_capabilities := {"SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "NET_RAW", "ALL"}

workload_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}

request := input.request

# The pod spec of a Pod or of a workload's pod template.
pod_spec := request.object.spec if request.kind.kind == "Pod"

pod_spec := request.object.spec.template.spec if request.kind.kind in workload_kinds

pod_meta := request.object.metadata if request.kind.kind == "Pod"

pod_meta := request.object.spec.template.metadata if request.kind.kind in workload_kinds

object_name := sprintf("%s/%s", [request.kind.kind, object.get(request.object.metadata, "name", "<generated>")])

# Every container, init container and ephemeral container of the pod.
containers contains c if some c in pod_spec.containers

containers contains c if some c in pod_spec.initContainers

containers contains c if some c in pod_spec.ephemeralContainers

trusted_image(image) if {
	some prefix in trusted_registries
	startswith(image, prefix)
}

deny contains msg if {
	some c in containers
	not trusted_image(c.image)
	msg := sprintf("%s: container %q uses image %q from an untrusted registry", [object_name, c.name, c.image])
}

deny contains msg if {
	some c in containers
	image_tag(c.image) == "latest"
	msg := sprintf("%s: container %q uses the mutable tag :latest", [object_name, c.name])
}

deny contains msg if {
	some c in containers
	not contains(c.image, ":")
	not contains(c.image, "@")
	msg := sprintf("%s: container %q has no image tag (implies :latest)", [object_name, c.name])
}

deny contains msg if {
	some c in containers
	c.securityContext.privileged == true
	msg := sprintf("%s: container %q is privileged", [object_name, c.name])
}

deny contains msg if {
	some c in containers
	c.securityContext.allowPrivilegeEscalation == true
	msg := sprintf("%s: container %q allows privilege escalation", [object_name, c.name])
}

deny contains msg if {
	some ns in ["hostNetwork", "hostPID", "hostIPC"]
	pod_spec[ns] == true
	msg := sprintf("%s: pod shares the host namespace %s", [object_name, ns])
}

deny contains msg if {
	some v in pod_spec.volumes
	v.hostPath
	msg := sprintf("%s: volume %q mounts host path %q", [object_name, v.name, v.hostPath.path])
}

deny contains msg if {
	some c in containers
	not runs_as_non_root(c)
	msg := sprintf("%s: container %q may run as root (set runAsNonRoot: true)", [object_name, c.name])
}

deny contains msg if {
	some c in containers
	some cap in c.securityContext.capabilities.add
	upper(cap) in forbidden_capabilities
	msg := sprintf("%s: container %q adds capability %s", [object_name, c.name, cap])
}

deny contains msg if {
	some c in pod_spec.containers
	some r in ["cpu", "memory"]
	not c.resources.limits[r]
	msg := sprintf("%s: container %q has no %s limit", [object_name, c.name, r])
}

deny contains msg if {
	some label in required_labels
	not pod_meta.labels[label]
	msg := sprintf("%s: missing required label %q", [object_name, label])
}

runs_as_non_root(c) if c.securityContext.runAsNonRoot == true

runs_as_non_root(c) if {
	not c.securityContext.runAsNonRoot == false
	pod_spec.securityContext.runAsNonRoot == true
}

# The tag of an image reference ("" when there is none or it is pinned by digest).
image_tag(image) := tag if {
	not contains(image, "@")
	parts := split(image, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	tag := split(last, ":")[1]
}
