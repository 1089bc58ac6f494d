// What a task gives the candidate to read, look at or listen to. A listening recording plays only after
// the station grants the play (it counts plays and refuses beyond the limit, across reloads); the player
// has no seek bar and no pause, so a play cannot be stretched or replayed from the middle.
import { useEffect, useRef, useState } from 'react';
import type { Stimulus } from '../../src-shared/content/schema.ts';
import { StationError } from '../../src-shared/errors.ts';
import { seatOf } from '../store/attempt.ts';
import { errorText, useAttempt, useAudio, useExam } from '../store/exam.ts';
import { useText } from '../store/settings.ts';
import { TEXT } from '../text.ts';
import { Bilingual } from '../ui/frame.tsx';

const imageUrls = new Map<string, Promise<string>>();

const blobUrl = (m: { mimeType: string; data: Uint8Array }): string => URL.createObjectURL(new Blob([m.data as Uint8Array<ArrayBuffer>], { type: m.mimeType }));

/** A blob URL for an image of the attempt's package, fetched once per page. */
function useImageUrl(path: string): string | null {
  const exam = useExam();
  const attemptId = useAttempt((s) => s.attemptId);
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const seat = seatOf(exam.attempt.getState());
    if (!seat) return;
    const key = `${seat.attemptId}/${path}`;
    let promise = imageUrls.get(key);
    if (!promise) {
      promise = exam.station.getMedia({ ...seat, path }).then(blobUrl);
      promise.catch(() => imageUrls.delete(key));
      imageUrls.set(key, promise);
    }
    let live = true;
    promise.then(
      (u) => live && setUrl(u),
      (error: unknown) => {
        console.error('media not loaded', path, error);
        exam.attempt.setState({ error: errorText(error) });
      },
    );
    return () => {
      live = false;
    };
  }, [exam, attemptId, path]);
  return url;
}

function ImageStimulus({ stimulus }: { stimulus: Extract<Stimulus, { type: 'image' }> }) {
  const url = useImageUrl(stimulus.media);
  return <figure className="stimulus stimulus-image">{url ? <img src={url} alt={stimulus.alt} lang="lv" /> : <div className="image-placeholder" aria-busy="true" />}</figure>;
}

export function AudioStimulus({ stimulus }: { stimulus: Extract<Stimulus, { type: 'audio' }> }) {
  const t = useText();
  const exam = useExam();
  const count = useAudio((s) => s.plays[stimulus.id]);
  // What the station counted before this screen loaded (a reload): the limit holds across reloads.
  const stationUsed = useAttempt((s) => s.view?.audioPlays[stimulus.id]);
  const [playing, setPlaying] = useState(false);
  const [position, setPosition] = useState(0);
  const [url, setUrl] = useState<string | null>(null);
  const audio = useRef<HTMLAudioElement>(null);
  const duration = stimulus.durationSeconds ?? 0;

  useEffect(() => {
    const element = audio.current;
    return () => element?.pause();
  }, []);

  // The station lets the recording's bytes out once per granted play: fetch them after the grant,
  // play them, and let them go when the play ends.
  const release = () => {
    if (url) URL.revokeObjectURL(url);
    setUrl(null);
  };

  const play = async () => {
    const seat = seatOf(exam.attempt.getState());
    if (!seat || playing) return;
    setPlaying(true);
    let source: string;
    try {
      const grant = await exam.station.grantAudioPlay({ ...seat, stimulusId: stimulus.id });
      exam.audio.getState().notePlay(stimulus.id, { used: grant.play, limit: grant.playLimit, refusal: null });
      source = blobUrl(await exam.station.getMedia({ ...seat, path: stimulus.media }));
    } catch (error) {
      setPlaying(false);
      if (error instanceof StationError && error.code === 'PLAY_LIMIT') {
        exam.audio.getState().notePlay(stimulus.id, { used: stimulus.playLimit, limit: stimulus.playLimit, refusal: error.text });
      } else {
        console.error('play not granted', error);
        exam.attempt.setState({ error: errorText(error) });
      }
      return;
    }
    setUrl(source);
    const element = audio.current;
    if (!element) return setPlaying(false);
    element.src = source;
    element.currentTime = 0;
    try {
      await element.play();
    } catch (error) {
      // The candidate is told at once; handing the play back is the station's (issue 9).
      console.error('audio did not play', error);
      setPlaying(false);
      release();
      exam.attempt.setState({ error: TEXT.playFailed });
    }
  };

  const limit = count?.limit ?? stimulus.playLimit;
  const used = count ? Math.min(count.used, limit) : stationUsed !== undefined ? Math.min(stationUsed, limit) : null;
  const none = used !== null && used >= limit;
  const total = audio.current?.duration && Number.isFinite(audio.current.duration) ? audio.current.duration : duration;
  return (
    <div className="stimulus stimulus-audio" data-testid={`audio-${stimulus.id}`}>
      <audio
        ref={audio}
        preload="none"
        onTimeUpdate={(e) => setPosition(e.currentTarget.currentTime)}
        onEnded={() => {
          setPlaying(false);
          setPosition(0);
          release();
        }}
        onPause={() => setPlaying(false)}
      />
      <button type="button" className="btn btn-primary" onClick={() => void play()} disabled={playing} data-testid="play">
        {playing ? t('playing') : t('play')}
      </button>
      <div className="audio-progress" role="progressbar" aria-label={t('audioProgress')} aria-valuemin={0} aria-valuemax={Math.round(total)} aria-valuenow={Math.round(position)}>
        <div className="audio-progress-fill" style={{ width: total > 0 ? `${Math.min(100, (position / total) * 100)}%` : '0%' }} />
      </div>
      <p className="plays" data-testid="plays" data-used={used ?? ''} data-limit={limit}>
        {used === null ? t('playLimit', { limit }) : t('playsUsed', { used, limit })}
        {none && !count?.refusal && ` — ${t('playsLeftNone')}`}
      </p>
      {count?.refusal && (
        <p className="warn" role="alert" data-testid="play-refused">
          ⚠ <Bilingual text={count.refusal} />
        </p>
      )}
    </div>
  );
}

export function StimulusView({ stimulus }: { stimulus: Stimulus }) {
  if (stimulus.type === 'audio') return <AudioStimulus stimulus={stimulus} />;
  if (stimulus.type === 'image') return <ImageStimulus stimulus={stimulus} />;
  return (
    <article className="stimulus stimulus-text" lang="lv">
      {stimulus.title && <h3>{stimulus.title}</h3>}
      {stimulus.text.split(/\n{2,}/).map((para, i) => (
        <p key={i}>
          {para.split('\n').map((line, j, lines) => (
            <span key={j}>
              {line}
              {j < lines.length - 1 && <br />}
            </span>
          ))}
        </p>
      ))}
    </article>
  );
}
