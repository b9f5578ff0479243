# The authbench image for shards on Kubernetes (authbench k8s-job): a static binary on
# a distroless base. Build: docker build -t registry.example/authbench:v1 .
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /authbench ./cmd/authbench

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /authbench /authbench
ENTRYPOINT ["/authbench"]
