// Package kubectl shows oauth2client as a kubectl exec credential plugin,
// and proves it with Kubernetes' own client code: its test builds the
// oauth2client command, takes the kubeconfig of README.md (section
// "kubectl"), whose users[].user.exec runs "oauth2client token --format
// exec-credential", and lets client-go (k8s.io/client-go, which kubectl
// uses) call an API server with the token the plugin printed. It is a
// module of its own so that client-go stays out of oauth2client's go.mod.
package kubectl
