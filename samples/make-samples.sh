#!/usr/bin/env bash
# Makes the bundled samples: small clips that look like one provider batch
# (text-to-video, image-to-video with its source image, a video-extend that
# starts on its source's last frame, a transition with a hard cut and a fade,
# a clip without audio, a phone-style rotated upload), each with the
# generation manifest the backend would hand over (SPEC section 3).
#
# Needs the ffmpeg 5.1 command line (Debian's `ffmpeg`). Run from anywhere:
#   bash samples/make-samples.sh
# The output is committed; rerun only to change the samples.
set -euo pipefail
cd "$(dirname "$0")"
ff() { ffmpeg -hide_banner -loglevel error -nostdin -y "$@"; }
x264=(-c:v libx264 -preset medium -crf 30 -pix_fmt yuv420p -g 60 -bf 2 -movflags +faststart)
aac=(-c:a aac -b:a 48k -ac 2 -ar 48000)
fps=30

# A wide fractal "coastline" the camera pans across (1 still, cropped per frame).
ff -f lavfi -i "mandelbrot=s=2560x360:maxiter=300:start_x=-1.25:start_y=0:start_scale=0.3:end_scale=0.3:outer=normalized_iteration_count" \
   -frames:v 1 /tmp/pixsim-samples-coast.png
# A soft ambient bed: pink noise under a low tone.
bed() { echo "anoisesrc=color=pink:amplitude=0.04:duration=$1,volume=0.8[n];sine=frequency=220:duration=$1,volume=0.05[s];[n][s]amix=inputs=2"; }

# 1. text_to_video: the camera pans right across the coast (content moves left), 4 s.
ff -loop 1 -framerate $fps -i /tmp/pixsim-samples-coast.png -f lavfi -i "$(bed 4)" \
   -filter_complex "[0:v]crop=640:360:x='800+160*t':y=0,format=yuv420p[v]" -map "[v]" -map 1:a -t 4 \
   "${x264[@]}" "${aac[@]}" t2v_fractal_coast.mp4

# 2. video_extend: continues the same pan, starting on exactly the position of the
#    previous clip's last frame (t = 119/30 s), as provider extensions do.
ff -loop 1 -framerate $fps -i /tmp/pixsim-samples-coast.png -f lavfi -i "$(bed 4)" \
   -filter_complex "[0:v]crop=640:360:x='800+160*(119/30+t)':y=0,format=yuv420p[v]" -map "[v]" -map 1:a -t 4 \
   "${x264[@]}" "${aac[@]}" extend_fractal_coast.mp4

# 3. image_to_video: a portrait (9:16) source image, animated with a slow zoom in.
ff -f lavfi -i "mandelbrot=s=360x640:maxiter=250:start_x=-0.7436:start_y=0.1318:start_scale=0.02:end_scale=0.02:outer=normalized_iteration_count" \
   -frames:v 1 ref_portrait.png
ff -loop 1 -framerate $fps -i ref_portrait.png -f lavfi -i "$(bed 4)" \
   -filter_complex "[0:v]scale=1440:2560,zoompan=z='1+0.004*on':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s=360x640:fps=$fps,format=yuv420p[v]" \
   -map "[v]" -map 1:a -t 4 "${x264[@]}" "${aac[@]}" i2v_portrait_zoom.mp4

# 4. video_transition: moving gradients, a hard cut at frame 60 to the fractal pan,
#    a fade to black from 3.5 s to 4 s, and a fade in to a third shot (6 s in all).
ff -f lavfi -i "gradients=s=640x360:rate=$fps:speed=0.02:c0=0x203a5c:c1=0xd98c40:c2=0x5c2040:nb_colors=3:duration=2" \
   -loop 1 -framerate $fps -t 2 -i /tmp/pixsim-samples-coast.png \
   -f lavfi -i "cellauto=s=640x360:rate=$fps:rule=110,trim=duration=2" \
   -f lavfi -i "$(bed 6)" \
   -filter_complex "[0:v]format=yuv420p,setsar=1[a];[1:v]crop=640:360:x='1200-120*t':y=0,format=yuv420p,fade=t=out:st=1.5:d=0.5,setsar=1[b];[2:v]scale=640:360,format=yuv420p,fade=t=in:st=0:d=0.5,setsar=1[c];[a][b][c]concat=n=3:v=1:a=0[v]" \
   -map "[v]" -map 3:a -t 6 "${x264[@]}" "${aac[@]}" transition_cut_fade.mp4

# 5. fusion without audio: a square clip of drifting colour fields.
ff -f lavfi -i "gradients=s=480x480:rate=$fps:speed=0.05:c0=0x0b3d2e:c1=0x7fd1ae:c2=0xf2e8c9:c3=0x1f4e79:nb_colors=4:duration=3" \
   -vf format=yuv420p -an "${x264[@]}" fusion_silent_square.mp4

# 6. upload from a phone: stored landscape, shown portrait (display matrix: 90 degrees clockwise).
ff -f lavfi -i "mandelbrot=s=640x360:rate=$fps:maxiter=200:start_scale=3:end_scale=0.3" -f lavfi -i "$(bed 3)" \
   -t 3 -map 0:v -map 1:a "${x264[@]}" "${aac[@]}" /tmp/pixsim-samples-phone.mp4
ff -i /tmp/pixsim-samples-phone.mp4 -c copy -metadata:s:v:0 rotate=270 -movflags +faststart upload_phone_rotated.mp4
rm -f /tmp/pixsim-samples-phone.mp4 /tmp/pixsim-samples-coast.png

sha() { sha256sum "$1" | cut -d' ' -f1; }
manifest() { # name provider job operation prompt params result_file parents submitted completed
  cat > "$1.json" <<JSON
{
  "provider_id": "$2",
  "provider_job_id": "$3",
  "operation_type": "$4",
  "prompt": "$5",
  "params": $6,
  "result": {"url": "https://cdn.provider.example/$2/$3.mp4", "path": "$7"},
  "parents": $8,
  "submitted_at": "$9",
  "completed_at": "${10}"
}
JSON
}
manifest t2v_fractal_coast pixverse video_1001 text_to_video \
  "drone shot over a glowing fractal coastline at dusk, camera pans right" \
  '{"model": "v5", "quality": "360p", "duration": 4, "camera_movement": "pan_right"}' \
  t2v_fractal_coast.mp4 '[]' 2026-11-20T10:00:00Z 2026-11-20T10:01:30Z
manifest extend_fractal_coast pixverse video_1002 video_extend \
  "continue the flight along the coast" \
  '{"model": "v5", "quality": "360p", "duration": 4, "camera_movement": "pan_right"}' \
  extend_fractal_coast.mp4 "[{\"sha256\": \"$(sha t2v_fractal_coast.mp4)\", \"role\": \"source_video\", \"start_time\": 0, \"end_time\": 4.0}]" \
  2026-11-20T10:02:00Z 2026-11-20T10:03:10Z
manifest i2v_portrait_zoom sora task_2001 image_to_video \
  "slowly zoom into the spiral" \
  '{"model": "sora-2", "aspect_ratio": "9:16", "duration": 4, "camera_movement": "zoom_in"}' \
  i2v_portrait_zoom.mp4 '[{"path": "ref_portrait.png", "role": "source_image", "sequence_order": 0}]' \
  2026-11-20T10:05:00Z 2026-11-20T10:06:40Z
manifest transition_cut_fade pixverse video_1003 video_transition \
  "from the dusk sky to the coast, then fade into the pattern" \
  '{"model": "v5", "quality": "360p", "duration": 6}' \
  transition_cut_fade.mp4 "[{\"path\": \"ref_portrait.png\", \"role\": \"source_image\", \"sequence_order\": 0}, {\"sha256\": \"$(sha t2v_fractal_coast.mp4)\", \"role\": \"source_video\", \"sequence_order\": 1}]" \
  2026-11-20T10:08:00Z 2026-11-20T10:09:00Z
manifest fusion_silent_square pixverse video_1004 fusion \
  "fuse the palettes into one calm colour field" \
  '{"model": "v5", "quality": "480p", "duration": 3, "audio": false}' \
  fusion_silent_square.mp4 '[]' 2026-11-20T10:10:00Z 2026-11-20T10:10:45Z
manifest upload_phone_rotated user upload_3001 upload \
  "phone recording uploaded by the user" \
  '{"device": "phone", "orientation": "portrait"}' \
  upload_phone_rotated.mp4 '[]' 2026-11-20T10:12:00Z 2026-11-20T10:12:01Z
du -ch ./*.mp4 ./*.png | tail -1
