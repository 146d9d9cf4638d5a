{{- define "oversight.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "oversight.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "oversight.secretName" -}}
{{- if .Values.auth.existingSecret -}}{{ .Values.auth.existingSecret }}{{- else -}}{{ include "oversight.fullname" . }}-auth{{- end -}}
{{- end -}}

{{/* Settings both processes share: the cluster identity and Redis. */}}
{{- define "oversight.clusterEnv" -}}
- name: ConnectionStrings__Redis
  value: {{ required "redis.connectionString is required" .Values.redis.connectionString | quote }}
- name: Orleans__ClusterId
  value: {{ .Values.orleans.clusterId | quote }}
- name: Orleans__ServiceId
  value: {{ .Values.orleans.serviceId | quote }}
{{- end -}}
