import { useState } from 'react';
import constants from '../../core/constants.json';
import { openVideo } from '../pipeline.ts';

export function DropZone({ disabled }: { disabled: boolean }) {
  const [over, setOver] = useState(false);
  const pick = (files: FileList | null) => {
    const f = files?.[0];
    if (f) void openVideo(f);
  };
  return (
    <label
      className={`dropzone${over ? ' over' : ''}${disabled ? ' disabled' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        if (!disabled) pick(e.dataTransfer.files);
      }}
    >
      <input
        type="file"
        accept="video/*"
        data-testid="video-input"
        disabled={disabled}
        onChange={(e) => {
          pick(e.currentTarget.files);
          e.currentTarget.value = '';
        }}
      />
      <strong>Drop a video here</strong> or click to choose one
      <small>
        Up to {constants.video.maxDurationSec / 60} minutes and {constants.video.maxFileBytes / 2 ** 20} MB. It stays on
        this machine.
      </small>
    </label>
  );
}
