#!/usr/bin/env bash
# Example: train jobs/mnist-mlp.yaml on Kubernetes with the image of deploy/k8s/Dockerfile pushed
# to REGISTRY. Data, output and checkpoints on a filesystem every pod reads (here HDFS; s3a://
# works the same with the hadoop-aws jars in the image).
#   deploy/k8s/submit-example.sh https://API-SERVER:6443 registry.example.com/sparktrain:0.1.0
set -euo pipefail
api="${1:?usage: submit-example.sh K8S_API_URL IMAGE}"
image="${2:?usage: submit-example.sh K8S_API_URL IMAGE}"
cd "$(dirname "$0")/../.."
exec spark-submit \
  --properties-file cluster-configs/k8s.conf \
  --master "k8s://$api" \
  --deploy-mode cluster \
  --conf spark.kubernetes.container.image="$image" \
  --class org.sparktrain.cli.Main \
  local:///opt/sparktrain/sparktrain-app.jar \
  train /opt/sparktrain/jobs/mnist-mlp.yaml \
  --output hdfs://namenode:8020/runs/mnist-k8s-1 \
  --set data.path=hdfs://namenode:8020/data/mnist \
  --set strategy.export_dir=hdfs://namenode:8020/tmp/sparktrain-export \
  --set strategy.network_mask=10.244.0.0/16
