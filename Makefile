# Shortcuts; each target is also a plain script, so a machine without make works too.
.PHONY: demo test bench build clean fuzz sanitize leaks mutate
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
# libFuzzer over probe+decode and manifest parsing (not in .ci/run): make fuzz FUZZ_SECONDS=1800
fuzz:
	bash scripts/fuzz.sh $(FUZZ_SECONDS)
# Damaged copies of the corpus's MP4, Matroska and WebM files through every reading command (not in
# .ci/run); MUTATE_BIN=.build/asan-rel/release/pixsim-media for a build under AddressSanitizer
# (swift build -c release --sanitize=address --build-path .build/asan-rel). See scripts/mutate.py.
mutate:
	@[ -n "$(MUTATE_BIN)" ] || bash scripts/build-release.sh
	python3 scripts/mutate.py --bin $(or $(MUTATE_BIN),.build/release/pixsim-media) --out mutate $$(ls ../shared/corpus/*/*.mp4 ../shared/corpus/*/*.mkv ../shared/corpus/*/*.webm 2>/dev/null)
# The suite under AddressSanitizer, the concurrent parts under ThreadSanitizer (not in .ci/run).
sanitize:
	bash scripts/sanitize.sh
# valgrind and LeakSanitizer over a long batch, and its resident memory over 2,000 files (not in .ci/run).
leaks:
	bash scripts/leaks.sh
clean:
	rm -rf .build bench/out
