# The feedbackloop binary in a small image. docker-compose.yml builds it
# for the worker; every other subcommand runs from the same image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=docker
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/feedbackloop ./cmd/feedbackloop

FROM alpine:3.22
# wget (busybox) serves the healthchecks; ca-certificates the LLM and source APIs.
RUN apk add --no-cache ca-certificates && adduser -D -u 10001 feedbackloop
COPY --from=build /out/feedbackloop /usr/local/bin/feedbackloop
USER feedbackloop
EXPOSE 9464 8080 8090
ENTRYPOINT ["feedbackloop"]
CMD ["worker"]
