# Shortcuts; each target is also a plain script, so a machine without make works too.
.PHONY: demo test bench build clean
build:
	swift build
demo:
	bash scripts/demo.sh
test:
	bash scripts/test.sh
# Runs every bench/*.sh: the project next to its anchors, same inputs, same run, ratios.
bench:
	bash scripts/install-deps.sh --bench
	@for script in bench/*.sh; do case $$script in */lib.sh) ;; *) echo "== $$script"; bash $$script || exit 1;; esac; done
clean:
	rm -rf .build bench/out
