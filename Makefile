# Developer shortcuts; CI runs .ci/run (scripts/test), which does all of these.
.DEFAULT_GOAL := help
FUZZTIME ?= 15s

.PHONY: help build test race lint fuzz

help: ## Show this help
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "%-6s %s\n", $$1, $$2}'

build: ## Build every package and command
	go build ./...

test: ## Run the tests
	go test ./...

race: ## Run the tests with the race detector, as CI does
	go test -race -count=1 -timeout 20m ./...

lint: ## Run gofmt, go vet and golangci-lint (installs the pinned version)
	@bad=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$bad" ]; then echo "gofmt would change: $$bad"; exit 1; fi
	go vet ./...
	bash scripts/lint

fuzz: ## Run every Fuzz target for FUZZTIME each (default 15s)
	@grep -rE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . | sed -E 's|^(.*)/[^/]*:func (Fuzz[A-Za-z0-9_]*).*|\1 \2|' | sort -u | \
	while read -r dir f; do \
	  echo "== $$f $$dir"; go test -run '^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) "$$dir" || exit 1; \
	done
