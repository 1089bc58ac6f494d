#!/usr/bin/env bash
# Regenerates the listening audio of the sample tests from their transcripts:
#   <level>/scripts/NAME.txt  ->  <level>/media/NAME.opus
#
# Transcript format: one utterance per line, read with a short pause between lines.
# Blank lines and lines starting with '#' are not read. A header line
#   # voices: Žurnālists=m3 Inese=f3
# maps speaker labels to espeak-ng voice variants; a line "Inese: text" is then read by that
# voice and the label itself is not spoken. Lines without a known label use the plain "lv" voice.
#
# Needs espeak-ng, sox (with soxi) and opusenc: apt-get install -y espeak-ng sox opus-tools
# Afterwards, copy the printed durations into the stimuli's durationSeconds in content.json.
set -euo pipefail
export LC_ALL=C.UTF-8

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
speed=140
pause_seconds=0.5
min_seconds=15
max_seconds=45

for tool in espeak-ng sox soxi opusenc; do
  command -v "$tool" >/dev/null || { echo "make-audio: $tool is missing (apt-get install -y espeak-ng sox opus-tools)" >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# espeak-ng writes 22050 Hz mono 16-bit; the pause must match for sox to concatenate.
sox -R -n -r 22050 -c 1 -b 16 "$work/pause.wav" trim 0 "$pause_seconds"

too_long_or_short=0
for level in a2 b1; do
  shopt -s nullglob
  scripts=("$here/$level"/scripts/*.txt)
  shopt -u nullglob
  [[ ${#scripts[@]} -gt 0 ]] || continue
  mkdir -p "$here/$level/media"
  for script in "${scripts[@]}"; do
    name="$(basename "$script" .txt)"
    declare -A voices=()
    pieces=("$work/pause.wav")
    n=0
    while IFS= read -r line || [[ -n "$line" ]]; do
      line="${line%$'\r'}"
      if [[ "$line" =~ ^\#[[:space:]]*voices:[[:space:]]*(.*)$ ]]; then
        for pair in ${BASH_REMATCH[1]}; do voices["${pair%%=*}"]="${pair#*=}"; done
        continue
      fi
      [[ -z "${line//[[:space:]]/}" || "$line" == \#* ]] && continue
      voice="lv"
      text="$line"
      if [[ "$line" =~ ^([^:]{1,40}):[[:space:]]+(.*)$ ]] && [[ -n "${voices[${BASH_REMATCH[1]}]:-}" ]]; then
        voice="lv+${voices[${BASH_REMATCH[1]}]}"
        text="${BASH_REMATCH[2]}"
      fi
      n=$((n + 1))
      printf '%s\n' "$text" >"$work/$name-$n.txt"
      espeak-ng -v "$voice" -s "$speed" -f "$work/$name-$n.txt" -w "$work/$name-$n.wav"
      pieces+=("$work/$name-$n.wav" "$work/pause.wav")
    done <"$script"
    unset voices
    [[ $n -gt 0 ]] || { echo "make-audio: $script has nothing to read" >&2; exit 1; }

    # -R and --serial make the output byte-for-byte repeatable, so a rerun leaves git clean.
    sox -R "${pieces[@]}" "$work/$name-joined.wav"
    sox -R "$work/$name-joined.wav" -r 48000 -c 1 "$work/$name.wav" norm -1
    opusenc --quiet --bitrate 24 --serial 1 "$work/$name.wav" "$here/$level/media/$name.opus"

    seconds="$(soxi -D "$work/$name.wav")"
    printf '%s/media/%s.opus  durationSeconds %.1f  (%s bytes)\n' "$level" "$name" "$seconds" "$(stat -c %s "$here/$level/media/$name.opus")"
    if awk -v s="$seconds" -v lo="$min_seconds" -v hi="$max_seconds" 'BEGIN { exit !(s < lo || s > hi) }'; then
      echo "make-audio: $level/$name is ${seconds}s, outside ${min_seconds}-${max_seconds}s" >&2
      too_long_or_short=1
    fi
  done
done
exit "$too_long_or_short"
